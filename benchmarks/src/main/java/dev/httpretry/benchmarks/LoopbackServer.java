package dev.httpretry.benchmarks;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A Reactor Netty server on 127.0.0.1, port 0, that admits at most {@code capacity} requests at
 * once, holds each for {@code hold}, answers it 200, and answers 503 at once to every request
 * beyond the capacity. A capacity of 0 is a total outage: every request gets a 503. It counts every
 * request it receives, except those to {@value #WARM_UP_PATH}, which it answers 200 after 50 ms
 * whatever the load, so a client can open its connections before a measured run.
 */
final class LoopbackServer implements AutoCloseable {

    /** Not counted, never rejected: answered 200 after {@link #WARM_UP_HOLD}. */
    static final String WARM_UP_PATH = "/warm-up";

    static final Duration WARM_UP_HOLD = Duration.ofMillis(50);

    private final int capacity;

    private final Duration hold;

    private final AtomicInteger inFlight = new AtomicInteger();

    private final AtomicLong requests = new AtomicLong();

    private final AtomicLong admitted = new AtomicLong();

    private final DisposableServer server;

    private LoopbackServer(int capacity, Duration hold) {
        this.capacity = capacity;
        this.hold = hold;
        this.server = HttpServer.create().host("127.0.0.1").port(0).handle(this::handle).bindNow();
    }

    /**
     * A server that admits {@code capacity} concurrent requests, each held for {@code hold}.
     * @param capacity requests served at once
     * @param hold how long each admitted request takes
     * @return the started server
     */
    static LoopbackServer withCapacity(int capacity, Duration hold) {
        return new LoopbackServer(capacity, hold);
    }

    /**
     * A server that answers every request 503.
     * @return the started server
     */
    static LoopbackServer totalOutage() {
        return new LoopbackServer(0, Duration.ZERO);
    }

    String url() {
        return "http://127.0.0.1:" + this.server.port();
    }

    /** Requests received since start or the last {@link #reset()}. */
    long requests() {
        return this.requests.get();
    }

    /** Requests admitted (answered 200) since start or the last {@link #reset()}. */
    long admitted() {
        return this.admitted.get();
    }

    void reset() {
        this.requests.set(0);
        this.admitted.set(0);
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        if (WARM_UP_PATH.equals(request.path()) || ("/" + request.path()).equals(WARM_UP_PATH)) {
            return request.receive().then(Mono.delay(WARM_UP_HOLD)).then(response.sendString(Mono.just("warm")).then());
        }
        this.requests.incrementAndGet();
        if (this.inFlight.incrementAndGet() > this.capacity) {
            this.inFlight.decrementAndGet();
            return request.receive().then(response.status(503).header("Content-Length", "0").send());
        }
        this.admitted.incrementAndGet();
        return request.receive()
            .then(Mono.delay(this.hold))
            .then(response.status(200).sendString(Mono.just("ok")).then())
            .doFinally((signal) -> this.inFlight.decrementAndGet());
    }

    @Override
    public void close() {
        this.server.disposeNow(Duration.ofSeconds(5));
    }
}
