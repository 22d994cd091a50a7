package dev.httpretry.micrometer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.BackoffEvent;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.DelaySource;
import dev.httpretry.core.ExceptionClassifier;
import dev.httpretry.core.HedgeEvent;
import dev.httpretry.core.RetryBudgets;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.StopReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

/**
 * Records every attempt, wait and call as Micrometer meters:
 * {@value #CALLS}, {@value #ATTEMPTS}, {@value #BACKOFF}, {@value #HEDGES} and {@value #BUDGET_AVAILABLE}.
 *
 * <p>Each meter is registered once per tag set and then kept in a map keyed by a small record, so
 * recording an event is one hash lookup and one increment, never a registry lookup. Every tag
 * value is bounded: client names, methods, stop reasons, statuses, attempt numbers up to
 * {@code max-attempts}, and the simple class names of exceptions; never a URI or a message.
 * Thread-safe.
 */
public final class RetryMetrics implements RetryListener {

    /** Counter, one per logical call. */
    public static final String CALLS = "http.client.retry.calls";

    /** Counter, one per attempt. */
    public static final String ATTEMPTS = "http.client.retry.attempts";

    /** Timer, one per wait. */
    public static final String BACKOFF = "http.client.retry.backoff";

    /** Counter, one per hedge: won, lost or refused by the budget. */
    public static final String HEDGES = "http.client.retry.hedges";

    /** Gauge of the retries each client's budget would grant now (the least among its destinations). */
    public static final String BUDGET_AVAILABLE = "http.client.retry.budget.available";

    private final MeterRegistry registry;

    private final Map<CallKey, Counter> calls = new ConcurrentHashMap<>();

    private final Map<AttemptKey, Counter> attempts = new ConcurrentHashMap<>();

    private final Map<BackoffKey, Timer> backoffs = new ConcurrentHashMap<>();

    private final Map<HedgeKey, Counter> hedges = new ConcurrentHashMap<>();

    /**
     * Creates the meters' recorder and registers a budget gauge for each client.
     * @param registry where the meters are registered
     * @param clients the clients whose budgets are gauged
     */
    public RetryMetrics(MeterRegistry registry, RetryClients clients) {
        this.registry = registry;
        for (String name : clients.names()) {
            RetryBudgets budgets = clients.get(name).budgets();
            Gauge.builder(BUDGET_AVAILABLE, budgets, RetryMetrics::available)
                .description("Retries the client's retry budget would grant now: the least among its destinations")
                .tag("client", name)
                .strongReference(true)
                .register(registry);
        }
    }

    @Override
    public void onAttempt(AttemptEvent event) {
        AttemptKey key = new AttemptKey(event.client(), event.method(), event.attempt(),
                event.status().isPresent() ? event.status().getAsInt() : 0, errorName(event.error()), event.retried());
        lookup(this.attempts, key, this::attemptCounter).increment();
    }

    @Override
    public void onBackoff(BackoffEvent event) {
        lookup(this.backoffs, new BackoffKey(event.client(), event.source()), this::backoffTimer).record(event.delay());
    }

    @Override
    public void onHedge(HedgeEvent event) {
        lookup(this.hedges, new HedgeKey(event.client(), event.outcome()), this::hedgeCounter).increment();
    }

    @Override
    public void onCallEnd(CallEvent event) {
        lookup(this.calls, new CallKey(event.client(), event.method(), event.reason(), event.retried()),
                this::callCounter).increment();
    }

    private <K, M> M lookup(Map<K, M> meters, K key, Function<K, M> register) {
        M meter = meters.get(key);
        return (meter != null) ? meter : meters.computeIfAbsent(key, register);
    }

    private Counter callCounter(CallKey key) {
        return Counter.builder(CALLS)
            .description("Logical calls through the retry filter, by outcome and why they stopped")
            .tag("client", key.client())
            .tag("method", key.method())
            .tag("outcome", key.reason().isSuccess() ? "success" : "failure")
            .tag("retried", String.valueOf(key.retried()))
            .tag("reason", key.reason().tagValue())
            .register(this.registry);
    }

    private Counter attemptCounter(AttemptKey key) {
        return Counter.builder(ATTEMPTS)
            .description("Attempts sent by the retry filter, by attempt number and what each produced")
            .tag("client", key.client())
            .tag("method", key.method())
            .tag("attempt", String.valueOf(key.attempt()))
            .tag("status", (key.status() != 0) ? String.valueOf(key.status()) : "NONE")
            .tag("error", key.error())
            .tag("retried", String.valueOf(key.retried()))
            .register(this.registry);
    }

    private Counter hedgeCounter(HedgeKey key) {
        return Counter.builder(HEDGES)
            .description("Extra copies of hedged requests: won, lost, or refused by the budget (not sent)")
            .tag("client", key.client())
            .tag("outcome", key.outcome().tagValue())
            .register(this.registry);
    }

    private Timer backoffTimer(BackoffKey key) {
        return Timer.builder(BACKOFF)
            .description("Waits before a retry, by where their length came from")
            .tag("client", key.client())
            .tag("source", key.source().tagValue())
            .register(this.registry);
    }

    private static double available(RetryBudgets budgets) {
        long available = budgets.leastAvailable();
        return (available == Long.MAX_VALUE) ? Double.POSITIVE_INFINITY : available;
    }

    /** The simple class name of the root cause, or {@code none}. */
    static String errorName(@Nullable Throwable error) {
        return ExceptionClassifier.rootCauseName(error);
    }

    private record CallKey(String client, String method, StopReason reason, boolean retried) {
    }

    private record AttemptKey(String client, String method, int attempt, int status, String error, boolean retried) {
    }

    private record BackoffKey(String client, DelaySource source) {
    }

    private record HedgeKey(String client, HedgeEvent.Outcome outcome) {
    }
}
