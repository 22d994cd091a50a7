package dev.httpretry.starter.contexts;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * One real server on 127.0.0.1 for the whole test run: each path is answered 503 twice, then 200
 * with the body {@code "ok <path>"}, so every first call of a path needs two retries.
 */
final class FlakyUpstream {

    static final FlakyUpstream INSTANCE = new FlakyUpstream();

    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    private final DisposableServer server;

    private FlakyUpstream() {
        this.server = HttpServer.create().host("127.0.0.1").port(0).handle((request, response) -> {
            int number = this.requests.computeIfAbsent(request.uri(), (path) -> new AtomicInteger()).incrementAndGet();
            return request.receive().then((number <= 2) ? response.status(503).sendString(Mono.just("busy")).then()
                    : response.sendString(Mono.just("ok " + request.uri())).then());
        }).bindNow();
    }

    String url() {
        return "http://127.0.0.1:" + this.server.port();
    }

    int requests(String path) {
        AtomicInteger count = this.requests.get(path);
        return (count != null) ? count.get() : 0;
    }
}
