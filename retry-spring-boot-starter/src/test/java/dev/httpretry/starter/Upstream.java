package dev.httpretry.starter;

import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** A real upstream on 127.0.0.1 and a free port that answers every request with one status, counting them. */
public final class Upstream implements AutoCloseable {

    private final AtomicInteger requests = new AtomicInteger();

    private final DisposableServer server;

    private Upstream(int status) {
        this.server = HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle((request, response) -> {
                int number = this.requests.incrementAndGet();
                return response.status(status).sendString(Mono.just("response " + number));
            })
            .bindNow();
    }

    public static Upstream alwaysAnswering(int status) {
        return new Upstream(status);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + this.server.port();
    }

    public int requests() {
        return this.requests.get();
    }

    @Override
    public void close() {
        this.server.disposeNow();
    }
}
