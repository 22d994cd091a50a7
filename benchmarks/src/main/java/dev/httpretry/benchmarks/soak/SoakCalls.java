package dev.httpretry.benchmarks.soak;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import dev.httpretry.core.ExceptionClassifier;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * The soak's calls as their callers make them, and the checks on how each ended: the body names the
 * call, it ended exactly once and in time, and a failure is one the chaos explains. Kept apart from
 * the attempts below the retry filter, since the caller sees only what the filter hands up.
 */
final class SoakCalls {

    private final SoakSettings settings;

    private final ChaosServer server;

    /** Per call, the status the retry filter handed up to the caller (0 when it handed up an error). */
    private final AtomicIntegerArray finalStatuses;

    /**
     * Calls to the given server.
     * @param settings the soak's knobs
     * @param server the server the calls go to
     */
    SoakCalls(SoakSettings settings, ChaosServer server) {
        this.settings = settings;
        this.server = server;
        this.finalStatuses = new AtomicIntegerArray(settings.calls());
    }

    /**
     * Above the retry filter: remembers the status it handed up for each call, so that a failure
     * while reading the body can be told from a failed call.
     * @return the filter
     */
    ExchangeFilterFunction recordFinalStatus() {
        return (request, next) -> next.exchange(request)
            .doOnNext((response) -> request.attribute(ChaosSoak.CALL_INDEX)
                .ifPresent((index) -> this.finalStatuses.set((Integer) index, response.statusCode().value())));
    }

    /**
     * One call, counted when it is subscribed to and when it ends; it never ends in an error.
     * @param client the client under soak
     * @param index the call's number
     * @param states each call's end, set here
     * @param durations each call's duration, set here
     * @param counts the callers' counts
     * @return the call
     */
    Mono<Void> call(WebClient client, int index, AtomicIntegerArray states, AtomicLongArray durations, CallerCounts counts) {
        String callId = "call-" + index;
        HttpMethod method = switch (index % 3) {
            case 0 -> HttpMethod.GET;
            case 1 -> HttpMethod.PUT;
            default -> HttpMethod.POST;
        };
        boolean keyed = method == HttpMethod.POST && (index / 3) % 2 == 0;
        // calls spread over two destinations (two names of this host), each with its own budget
        String base = (index % 2 == 0) ? this.server.url() : this.server.otherUrl();
        WebClient.RequestBodySpec spec = client.method(method)
            .uri(base + "/soak/{id}", callId)
            .attribute(ChaosSoak.CALL_INDEX, index)
            .header(ChaosServer.CALL_ID, callId);
        if (keyed) {
            spec = spec.header(ChaosServer.IDEMPOTENCY_KEY, "idem-" + Long.toHexString(this.settings.seed()) + "-" + index);
        }
        // a body that can be read once, as an upload is: a retry must send it again whole, never empty or cut
        ByteArrayInputStream once = new ByteArrayInputStream(ChaosServer.payload(callId));
        WebClient.RequestHeadersSpec<?> request = (method == HttpMethod.GET) ? spec
                : spec.body(BodyInserters.fromDataBuffers(DataBufferUtils.readInputStream(() -> once,
                        DefaultDataBufferFactory.sharedInstance, 4096)));
        // a call that never ends is cut here, well after its deadline, and counted as hung
        Duration watchdog = this.settings.deadline().plusSeconds(10);
        return Mono.defer(() -> {
            long started = System.nanoTime();
            counts.issued.increment();
            return request.retrieve()
                .bodyToMono(String.class)
                .timeout(watchdog, Mono.error(() -> new HungCallException(callId, watchdog)))
                .doOnSuccess((body) -> {
                    durations.set(index, System.nanoTime() - started);
                    if (body != null && body.startsWith("ok " + callId + " ")) {
                        settle(states, index, CallerCounts.SUCCESS, counts);
                    }
                    else {
                        counts.failureKinds.computeIfAbsent(body == null ? "empty body" : "wrong body", (k) -> new LongAdder())
                            .increment();
                        settle(states, index, CallerCounts.FAILURE, counts);
                    }
                })
                .doOnError((error) -> {
                    durations.set(index, System.nanoTime() - started);
                    String kind = describe(error, this.finalStatuses.get(index));
                    counts.failureKinds.computeIfAbsent(kind, (k) -> new LongAdder()).increment();
                    if (!isExpected(error)) {
                        // not an outcome the chaos can explain: keep the first of each kind whole
                        counts.unexpected.computeIfAbsent(kind, (k) -> callId + ": " + stackTrace(error));
                    }
                    if (error instanceof HungCallException) {
                        counts.hung.increment();
                    }
                    settle(states, index, CallerCounts.FAILURE, counts);
                })
                .onErrorResume((error) -> Mono.empty())
                .then();
        });
    }

    private static void settle(AtomicIntegerArray states, int index, int state, CallerCounts counts) {
        if (states.compareAndSet(index, CallerCounts.PENDING, state)) {
            (state == CallerCounts.SUCCESS ? counts.successes : counts.failures).increment();
        }
        else {
            counts.doubleSignals.increment();
        }
    }

    /**
     * Whether the chaos explains this failure: a final error status, a transport failure the
     * connector reports (wrapped by WebClient), or the filter's own timeouts.
     */
    private static boolean isExpected(Throwable error) {
        return error instanceof WebClientException || error instanceof TimeoutException;
    }

    private static String stackTrace(Throwable error) {
        StringWriter out = new StringWriter();
        error.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    /** What the caller saw: the exception's type (and status), its root cause, and whether the filter had passed on a 2xx. */
    private static String describe(Throwable error, int finalStatus) {
        String outer = error.getClass().getSimpleName();
        if (error instanceof WebClientResponseException response) {
            outer = "WebClientResponseException " + response.getStatusCode().value();
        }
        Throwable root = ExceptionClassifier.rootCause(error);
        String kind = (root == error) ? outer : outer + " / " + root.getClass().getSimpleName();
        return (finalStatus >= 200 && finalStatus < 300) ? "body failed after " + finalStatus + ": " + kind : kind;
    }

    /** A call did not end within its deadline plus ten seconds. */
    static final class HungCallException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        HungCallException(String callId, Duration watchdog) {
            super(callId + " did not end within " + watchdog, null, false, false);
        }
    }
}
