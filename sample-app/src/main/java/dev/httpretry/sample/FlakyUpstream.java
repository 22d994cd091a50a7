package dev.httpretry.sample;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * A misbehaving upstream, served by the app itself under {@value #PATH}: each request draws one
 * number from the injected random generator and, with probability {@code fail}, fails in the way
 * its {@link Scenario} parameters ask (see {@link Scenario}). Try it with curl:
 *
 * <pre>
 * curl -i 'localhost:8080/upstream/resource?fail=0.5'
 * curl -i 'localhost:8080/upstream/resource?fail=1&amp;mode=rate-limit&amp;retryAfter=2&amp;retryAfterFormat=date'
 * curl -i 'localhost:8080/upstream/resource?fail=1&amp;mode=drop'
 * </pre>
 *
 * <p>It also counts what it received for each demo run (parameter {@value #RUN_PARAM}), which is
 * how the demo knows how many attempts the clients really sent. Thread-safe.
 */
public final class FlakyUpstream {

    /** The path under which the upstream answers. */
    public static final String PATH = "/upstream";

    /** The request parameter that names the demo run a request belongs to. */
    public static final String RUN_PARAM = "run";

    /** IMF-fixdate (RFC 9110 §5.6.7), always two-digit days and GMT. */
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private final RandomGenerator random;

    private final Clock clock;

    private final Map<String, LongAdder> received = new ConcurrentHashMap<>();

    private final AtomicLong runs = new AtomicLong();

    /**
     * Creates the upstream.
     * @param random draws whether and how each request fails; used under a lock, so it need not be thread-safe
     * @param clock the time an HTTP-date {@code Retry-After} counts from
     */
    public FlakyUpstream(RandomGenerator random, Clock clock) {
        this.random = Objects.requireNonNull(random, "random");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The routes of the upstream: any {@code GET} under {@value #PATH}.
     * @return the router function
     */
    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route(RequestPredicates.GET(PATH + "/**"), this::handle);
    }

    /**
     * Starts counting the requests of a new demo run.
     * @param label a readable prefix for the run's id
     * @return the run's id, to send as the {@value #RUN_PARAM} parameter
     */
    public String openRun(String label) {
        String run = label.replaceAll("[^A-Za-z0-9]+", "-") + "-" + this.runs.incrementAndGet();
        this.received.put(run, new LongAdder());
        return run;
    }

    /**
     * Stops counting a run.
     * @param run the run's id
     * @return how many requests of that run the upstream received (0 if it was closed already)
     */
    public long closeRun(String run) {
        LongAdder count = this.received.remove(run);
        return (count != null) ? count.sum() : 0;
    }

    private static final org.apache.commons.logging.Log logger = org.apache.commons.logging.LogFactory.getLog(FlakyUpstream.class);

    Mono<ServerResponse> handle(ServerRequest request) {
        Scenario scenario;
        try {
            scenario = Scenario.HEALTHY.with(request.queryParams());
        }
        catch (IllegalArgumentException ex) {
            return ServerResponse.badRequest().contentType(MediaType.TEXT_PLAIN).bodyValue(ex.getMessage() + "\n");
        }
        request.queryParam(RUN_PARAM).map(this.received::get).ifPresent(LongAdder::increment);
        Scenario.Mode behaviour = choose(scenario);
        if (logger.isDebugEnabled()) {
            // each attempt arrives with its own span id in traceparent: the trace shows which attempt this is
            logger.debug("upstream " + request.method() + " " + request.path() + ": "
                    + ((behaviour != null) ? behaviour.name().toLowerCase(java.util.Locale.ROOT) : "ok")
                    + ", traceparent " + request.headers().firstHeader("traceparent"));
        }
        Mono<ServerResponse> response = Mono.defer(() -> respond(request, scenario, behaviour));
        return (scenario.delayMs() > 0) ? Mono.delay(Duration.ofMillis(scenario.delayMs())).then(response) : response;
    }

    /** What this request does: {@code null} is a healthy {@code 200}, otherwise how it fails. */
    private Scenario.@Nullable Mode choose(Scenario scenario) {
        double draw = draw();
        if (draw >= scenario.fail()) {
            return null;
        }
        if (scenario.mode() != Scenario.Mode.MIXED) {
            return scenario.mode();
        }
        // One draw decides both whether and how: below `fail`, its position picks one of four kinds.
        int kind = Math.min(3, (int) (draw / scenario.fail() * 4));
        return switch (kind) {
            case 0 -> Scenario.Mode.ERROR;
            case 1 -> Scenario.Mode.RATE_LIMIT;
            case 2 -> Scenario.Mode.DROP;
            default -> Scenario.Mode.SLOW;
        };
    }

    private double draw() {
        synchronized (this.random) {
            return this.random.nextDouble();
        }
    }

    private Mono<ServerResponse> respond(ServerRequest request, Scenario scenario, Scenario.@Nullable Mode behaviour) {
        if (behaviour == null) {
            return ok();
        }
        return switch (behaviour) {
            case ERROR -> ServerResponse.status(scenario.status()).contentType(MediaType.TEXT_PLAIN)
                .bodyValue("upstream failure " + scenario.status() + "\n");
            case RATE_LIMIT -> ServerResponse.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(pushbackHeader(scenario.retryAfterFormat()), retryAfter(scenario))
                .contentType(MediaType.TEXT_PLAIN)
                .bodyValue("slow down\n");
            case DROP -> drop(request);
            case SLOW -> Mono.delay(Duration.ofMillis(scenario.slowMs())).then(ok());
            case MIXED -> throw new IllegalStateException("MIXED is resolved by choose()");
        };
    }

    private static String pushbackHeader(Scenario.RetryAfterFormat format) {
        return switch (format) {
            case SECONDS, DATE -> HttpHeaders.RETRY_AFTER;
            case RATE_LIMIT -> "RateLimit";
            case RATE_LIMIT_RESET -> "RateLimit-Reset";
            case X_RATE_LIMIT_RESET -> "X-RateLimit-Reset";
        };
    }

    private String retryAfter(Scenario scenario) {
        switch (scenario.retryAfterFormat()) {
            case SECONDS, RATE_LIMIT_RESET:
                return String.valueOf(scenario.retryAfter());
            case RATE_LIMIT:
                return "\"default\";r=0;t=" + scenario.retryAfter();
            case X_RATE_LIMIT_RESET:
                // whole epoch seconds, rounded up so the reset is never earlier than asked
                return String.valueOf(this.clock.instant().plusSeconds(scenario.retryAfter()).plusNanos(999_999_999).getEpochSecond());
            default:
                break;
        }
        // An HTTP-date has whole seconds: round up, so the date is never earlier than asked.
        Instant at = this.clock.instant().plusSeconds(scenario.retryAfter());
        if (at.getNano() > 0) {
            at = at.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        }
        return HTTP_DATE.format(at);
    }

    /**
     * Closes the connection without writing anything, as a crashing server or a middlebox would. The
     * returned Mono never completes: closing the channel cancels it, and WebFlux has nothing to write.
     */
    private static Mono<ServerResponse> drop(ServerRequest request) {
        HttpServerResponse nettyResponse = ServerHttpResponseDecorator.getNativeResponse(request.exchange().getResponse());
        nettyResponse.withConnection((connection) -> connection.channel().close());
        return Mono.never();
    }

    private static Mono<ServerResponse> ok() {
        return ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue("ok\n");
    }
}
