package dev.httpretry.benchmarks.overhead;

import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A Reactor Netty server on 127.0.0.1 (port 0) for the overhead and failure benchmarks: it answers
 * 200 at once, or fails a share of calls at random (seeded) with 503, or with 429 and
 * {@code Retry-After: 1}. In the 429 mode it enforces the {@code Retry-After}: a call (known by its
 * {@code X-Call-Id} header) that comes back before the second is up is answered 429 again.
 */
public final class FaultServer implements AutoCloseable {

    /** How the server misbehaves. */
    public enum Mode {
        /** Always 200. */
        OK,
        /** A share of requests answered 503. */
        UNAVAILABLE,
        /** A share of calls answered 429 with Retry-After: 1, enforced per call. */
        RATE_LIMITED
    }

    /** The header that identifies a logical call across its attempts. */
    public static final String CALL_ID = "X-Call-Id";

    private final Mode mode;

    private final double failureRate;

    private final SplittableRandom random;

    private final Map<String, Long> notBefore = new ConcurrentHashMap<>();

    private final AtomicLong requests = new AtomicLong();

    private final AtomicLong rejectedEarly = new AtomicLong();

    private final DisposableServer server;

    /**
     * Starts the server.
     * @param mode how it misbehaves
     * @param failureRate the share of calls that fail (ignored for {@link Mode#OK})
     * @param seed the seed of its randomness
     */
    public FaultServer(Mode mode, double failureRate, long seed) {
        this.mode = mode;
        this.failureRate = failureRate;
        this.random = new SplittableRandom(seed);
        this.server = HttpServer.create().host("127.0.0.1").port(0).handle(this::handle).bindNow();
    }

    public String url() {
        return "http://127.0.0.1:" + this.server.port();
    }

    public long requests() {
        return this.requests.get();
    }

    /** Retries that came back before their Retry-After was up. */
    public long rejectedEarly() {
        return this.rejectedEarly.get();
    }

    public void reset() {
        this.requests.set(0);
        this.rejectedEarly.set(0);
        this.notBefore.clear();
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        this.requests.incrementAndGet();
        return switch (this.mode) {
            case OK -> response.sendString(Mono.just("ok")).then();
            case UNAVAILABLE -> fails() ? response.status(503).sendString(Mono.just("busy")).then()
                    : response.sendString(Mono.just("ok")).then();
            case RATE_LIMITED -> rateLimited(request, response);
        };
    }

    private Mono<Void> rateLimited(HttpServerRequest request, HttpServerResponse response) {
        String call = request.requestHeaders().get(CALL_ID, "");
        long now = System.nanoTime();
        Long until = this.notBefore.get(call);
        if (until != null && now < until) {
            this.rejectedEarly.incrementAndGet();
            return response.status(429).header("Retry-After", "1").sendString(Mono.just("slow down")).then();
        }
        if (until == null && fails()) {
            this.notBefore.put(call, now + Duration.ofSeconds(1).toNanos());
            return response.status(429).header("Retry-After", "1").sendString(Mono.just("slow down")).then();
        }
        return response.sendString(Mono.just("ok")).then();
    }

    private boolean fails() {
        synchronized (this.random) {
            return this.random.nextDouble() < this.failureRate;
        }
    }

    @Override
    public void close() {
        this.server.disposeNow(Duration.ofSeconds(5));
    }
}
