package dev.httpretry.benchmarks.soak;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A Reactor Netty server on 127.0.0.1 (port 0) that answers each request with a fault drawn at
 * random (seeded) from a weighted mix, and records every request it receives: by fault, and by
 * the {@value #CALL_ID} of the call it belongs to. A request with {@value #CALM} always gets
 * {@code 200}. Thread-safe; what each fault sends is in {@link FaultAnswers}.
 */
public final class ChaosServer implements AutoCloseable {

    /** The header that names the logical call an attempt belongs to. */
    public static final String CALL_ID = "X-Call-Id";

    /** A request with this header is answered {@code 200} without a fault. */
    public static final String CALM = "X-Chaos-Off";

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final FaultKind[] kinds;

    private final int[] cumulativeWeights;

    /** Guarded by itself: one seeded sequence of choices, whatever thread a request arrives on. */
    private final SplittableRandom random;

    private final FaultAnswers answers;

    private final Map<FaultKind, LongAdder> faults = new EnumMap<>(FaultKind.class);

    private static final byte[] NO_BODY = new byte[0];

    private final LongAdder bodiesWhole = new LongAdder();

    private final LongAdder bodiesWrong = new LongAdder();

    /** Calls whose next request is closed before any response (UNAVAILABLE_THEN_CLOSED). */
    private final Set<String> closeNext = ConcurrentHashMap.newKeySet();

    private final Map<String, Received> calls = new ConcurrentHashMap<>();

    private final LongAdder requests = new LongAdder();

    private final LongAdder withoutCallId = new LongAdder();

    private final DisposableServer server;

    /**
     * Starts the server.
     * @param weights the relative weight of each answer
     * @param seed seeds the choice of answers
     * @param clock the clock {@code Retry-After} dates are computed from
     */
    public ChaosServer(Map<FaultKind, Integer> weights, long seed, Clock clock) {
        this.kinds = weights.keySet().stream().sorted().toArray(FaultKind[]::new);
        this.cumulativeWeights = new int[this.kinds.length];
        int total = 0;
        for (int i = 0; i < this.kinds.length; i++) {
            total += weights.getOrDefault(this.kinds[i], 0);
            this.cumulativeWeights[i] = total;
        }
        this.random = new SplittableRandom(seed);
        this.answers = new FaultAnswers(clock);
        for (FaultKind kind : FaultKind.values()) {
            this.faults.put(kind, new LongAdder());
        }
        this.server = HttpServer.create().host("127.0.0.1").port(0).handle(this::handle).bindNow();
    }

    /**
     * The base URL.
     * @return {@code http://127.0.0.1:<port>}
     */
    public String url() {
        return "http://127.0.0.1:" + this.server.port();
    }

    /**
     * The base URL by another name of the same host, so calls reach the server as a second destination.
     * @return {@code http://localhost:<port>}
     */
    public String otherUrl() {
        return "http://localhost:" + this.server.port();
    }

    /**
     * Requests received, of every kind.
     * @return the count
     */
    public long requests() {
        return this.requests.sum();
    }

    /**
     * Requests received without a {@value #CALL_ID} header (must be none).
     * @return the count
     */
    public long requestsWithoutCallId() {
        return this.withoutCallId.sum();
    }

    /**
     * Requests received, by the answer they got.
     * @return the counts
     */
    public Map<FaultKind, Long> requestsByFault() {
        Map<FaultKind, Long> counts = new EnumMap<>(FaultKind.class);
        this.faults.forEach((kind, count) -> counts.put(kind, count.sum()));
        counts.remove(FaultKind.REFUSED);
        return counts;
    }

    /**
     * What the server saw of one call.
     * @param callId the call's {@value #CALL_ID}
     * @return how often and how it arrived, or {@code null} if it never arrived
     */
    public @Nullable Received received(String callId) {
        return this.calls.get(callId);
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        this.requests.increment();
        String callId = request.requestHeaders().get(CALL_ID);
        if (callId == null) {
            this.withoutCallId.increment();
        }
        else {
            this.calls.computeIfAbsent(callId, (id) -> new Received(request.method().name(),
                    request.requestHeaders().contains(IDEMPOTENCY_KEY))).count.incrementAndGet();
        }
        boolean calm = request.requestHeaders().contains(CALM);
        if (callId != null && this.closeNext.remove(callId)) {
            // the second half of UNAVAILABLE_THEN_CLOSED, counted under that fault already
            return request.receive().then().then(FaultAnswers.close(response));
        }
        FaultKind fault;
        int variant;
        synchronized (this.random) {
            fault = calm ? FaultKind.OK : pick(this.random.nextInt(this.cumulativeWeights[this.cumulativeWeights.length - 1]));
            variant = this.random.nextInt(201);
        }
        if (!calm) {
            java.util.Objects.requireNonNull(this.faults.get(fault)).increment();
        }
        // Read (and so release) the request body first, whatever the answer.
        // and check it: every attempt must carry the call's whole payload, never an empty or cut one
        boolean withBody = !"GET".equals(request.method().name());
        Mono<Void> read = request.receive().aggregate().asByteArray().defaultIfEmpty(NO_BODY)
            .doOnNext((received) -> checkBody(callId, withBody, received)).then();
        if (fault == FaultKind.UNAVAILABLE_THEN_CLOSED && callId != null) {
            // so that the call's next request is closed before any response (above)
            this.closeNext.add(callId);
        }
        return this.answers.answer(fault, variant, callId, read, response);
    }

    private void checkBody(@Nullable String callId, boolean withBody, byte[] received) {
        if (callId == null) {
            return;
        }
        byte[] expected = withBody ? payload(callId) : NO_BODY;
        (Arrays.equals(expected, received) ? this.bodiesWhole : this.bodiesWrong).increment();
    }

    /**
     * The body a call sends with every attempt: 1 to 32 KiB, its bytes derived from the call's id.
     * @param callId the call's id
     * @return the payload
     */
    public static byte[] payload(String callId) {
        SplittableRandom random = new SplittableRandom(callId.hashCode());
        byte[] payload = new byte[1024 * (1 + random.nextInt(32))];
        random.nextBytes(payload);
        return payload;
    }

    /**
     * Request bodies received whole: the call's payload exactly (or none for a GET).
     * @return the count
     */
    public long bodiesWhole() {
        return this.bodiesWhole.sum();
    }

    /**
     * Request bodies received complete but not the call's payload: empty, cut, or other bytes (must be none).
     * @return the count
     */
    public long bodiesWrong() {
        return this.bodiesWrong.sum();
    }

    private FaultKind pick(int roll) {
        for (int i = 0; i < this.cumulativeWeights.length; i++) {
            if (roll < this.cumulativeWeights[i]) {
                return this.kinds[i];
            }
        }
        throw new IllegalStateException("roll " + roll + " beyond the weights");
    }

    @Override
    public void close() {
        this.server.disposeNow(Duration.ofSeconds(5));
    }

    /** What arrived of one call: its method, whether it had an {@code Idempotency-Key}, and how often. */
    public static final class Received {

        private final String method;

        private final boolean idempotencyKey;

        private final AtomicInteger count = new AtomicInteger();

        Received(String method, boolean idempotencyKey) {
            this.method = method;
            this.idempotencyKey = idempotencyKey;
        }

        /**
         * The request method.
         * @return the method of the first request that arrived
         */
        public String method() {
            return this.method;
        }

        /**
         * Whether it carried an {@code Idempotency-Key}.
         * @return {@code true} if the first request that arrived had one
         */
        public boolean idempotencyKey() {
            return this.idempotencyKey;
        }

        /**
         * How many requests of this call arrived.
         * @return the count, at least 1
         */
        public int count() {
            return this.count.get();
        }
    }
}
