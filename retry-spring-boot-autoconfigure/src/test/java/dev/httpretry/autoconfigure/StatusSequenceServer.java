package dev.httpretry.autoconfigure;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A real HTTP server on 127.0.0.1 and a free port that answers each request with a status chosen
 * by the request's number, and counts what it received. The body of response {@code n} is
 * {@code "response n"}, so a caller can tell which answer reached it.
 */
final class StatusSequenceServer implements AutoCloseable {

    private final AtomicInteger requests = new AtomicInteger();

    private final List<String> paths = new CopyOnWriteArrayList<>();

    private final DisposableServer server;

    private StatusSequenceServer(IntUnaryOperator statusOfRequest) {
        this.server = HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle((request, response) -> {
                int number = this.requests.incrementAndGet();
                this.paths.add(request.uri());
                return response.status(statusOfRequest.applyAsInt(number)).sendString(Mono.just("response " + number));
            })
            .bindNow();
    }

    /**
     * A server that answers request {@code n} with {@code statuses[n - 1]}, and every request after
     * the last status with the last status again.
     */
    static StatusSequenceServer answering(int... statuses) {
        if (statuses.length == 0) {
            throw new IllegalArgumentException("No status");
        }
        return new StatusSequenceServer((number) -> statuses[Math.min(number, statuses.length) - 1]);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + this.server.port();
    }

    /** How many requests arrived so far. */
    int requests() {
        return this.requests.get();
    }

    /** The path and query of every request, in the order they arrived. */
    List<String> paths() {
        return List.copyOf(this.paths);
    }

    @Override
    public void close() {
        this.server.disposeNow();
    }
}
