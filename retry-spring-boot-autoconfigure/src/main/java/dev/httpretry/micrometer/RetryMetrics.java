package dev.httpretry.micrometer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

import dev.httpretry.client.AttemptObservation;
import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.BackoffEvent;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.DelaySource;
import dev.httpretry.core.ExceptionClassifier;
import dev.httpretry.core.HedgeEvent;
import dev.httpretry.core.Outcome;
import dev.httpretry.core.ThrottleEvent;
import dev.httpretry.core.RetryBudgets;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.StopReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
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

    /** Timer, one per attempt that waited for its turn at its destination ({@code adaptive.enabled}). */
    public static final String THROTTLE_WAIT = "http.client.retry.throttle.wait";

    /** Counter, one per hedge: won, lost or refused by the budget. */
    public static final String HEDGES = "http.client.retry.hedges";

    /** The observation of each attempt, from which Micrometer derives a timer of that name when metrics record observations. */
    public static final String ATTEMPT_OBSERVATION = "http.client.retry.attempt";

    /**
     * Counter Micrometer derives from the wait events ({@value AttemptObservation#WAIT_EVENT}) on Boot's
     * {@code http.client.requests} observation of each call, one per wait, with that observation's tags.
     */
    public static final String WAITS = "http.client.requests." + AttemptObservation.WAIT_EVENT;

    /** Gauge of the retries each client's budget would grant now (the least among its destinations). */
    public static final String BUDGET_AVAILABLE = "http.client.retry.budget.available";

    private final MeterRegistry registry;

    private final Map<CallKey, Counter> calls = new ConcurrentHashMap<>();

    private final Map<AttemptKey, Counter> attempts = new ConcurrentHashMap<>();

    private final Map<BackoffKey, Timer> backoffs = new ConcurrentHashMap<>();

    private final Map<HedgeKey, Counter> hedges = new ConcurrentHashMap<>();

    private final Map<String, Timer> throttleWaits = new ConcurrentHashMap<>();

    /** The same counters again, by client and method, then in arrays: what a call that succeeds records allocates nothing. */
    private final Map<String, Map<String, MethodMeters>> byClient = new ConcurrentHashMap<>();

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

    /**
     * Gives a description to the meters Micrometer derives from http-retry's observations, which it
     * registers without one: the timer of each attempt's observation ({@value #ATTEMPT_OBSERVATION}),
     * its {@code .active} twin, and the counter of the wait events on the call's observation
     * ({@value #WAITS}, or {@code <name>.}{@value AttemptObservation#WAIT_EVENT} when Boot's
     * {@code http.client.requests} observation is renamed). So every meter of http-retry says what it
     * counts (Prometheus' {@code # HELP}). A meter that already has a description keeps it.
     * @return the filter, for every registry that records observations
     */
    public static MeterFilter descriptions() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String description = (id.getDescription() == null) ? ObservedMeters.description(id) : null;
                return (description != null) ? new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(),
                        description, id.getType()) : id;
            }
        };
    }

    @Override
    public void onAttempt(AttemptEvent event) {
        boolean retried = event.retried();
        if (event.outcome() instanceof Outcome.Response response) {
            int slot = MethodMeters.statusSlot(response.status(), retried);
            if (slot >= 0 && event.attempt() >= 1 && event.attempt() <= MethodMeters.CACHED_ATTEMPTS) {
                AtomicReferenceArray<Counter> row = methodMeters(event.client(), event.method()).attempts(event.attempt());
                Counter counter = row.get(slot);
                if (counter == null) {
                    counter = lookup(this.attempts, new AttemptKey(event.client(), event.method(), event.attempt(),
                            response.status(), errorName(null), retried), this::attemptCounter);
                    row.set(slot, counter);
                }
                counter.increment();
                return;
            }
        }
        AttemptKey key = new AttemptKey(event.client(), event.method(), event.attempt(),
                event.status().isPresent() ? event.status().getAsInt() : 0, errorName(event.error()), event.retried());
        lookup(this.attempts, key, this::attemptCounter).increment();
    }

    @Override
    public void onBackoff(BackoffEvent event) {
        lookup(this.backoffs, new BackoffKey(event.client(), event.source()), this::backoffTimer).record(event.delay());
    }

    @Override
    public void onThrottle(ThrottleEvent event) {
        lookup(this.throttleWaits, event.client(), (client) -> Timer.builder(THROTTLE_WAIT)
            .description("Waits of attempts for their turn at their destination's learned send rate (adaptive.enabled)")
            .tag("client", client)
            .register(this.registry)).record(event.delay());
    }

    @Override
    public void onHedge(HedgeEvent event) {
        lookup(this.hedges, new HedgeKey(event.client(), event.outcome()), this::hedgeCounter).increment();
    }

    @Override
    public void onCallEnd(CallEvent event) {
        MethodMeters meters = methodMeters(event.client(), event.method());
        int slot = MethodMeters.callSlot(event.reason(), event.retried());
        Counter counter = meters.calls.get(slot);
        if (counter == null) {
            counter = lookup(this.calls, new CallKey(event.client(), event.method(), event.reason(), event.retried()),
                    this::callCounter);
            meters.calls.set(slot, counter);
        }
        counter.increment();
    }

    /** The meters of one client and method already used, found without building a key: client and method names cache their hash. */
    private MethodMeters methodMeters(String client, String method) {
        Map<String, MethodMeters> methods = this.byClient.get(client);
        if (methods == null) {
            methods = this.byClient.computeIfAbsent(client, (name) -> new ConcurrentHashMap<>());
        }
        MethodMeters meters = methods.get(method);
        return (meters != null) ? meters : methods.computeIfAbsent(method, (name) -> new MethodMeters());
    }

    private <K, M> M lookup(Map<K, M> meters, K key, Function<K, M> register) {
        M meter = meters.get(key);
        return (meter != null) ? meter : meters.computeIfAbsent(key, register);
    }

    private Counter callCounter(CallKey key) {
        return Counter.builder(CALLS)
            .description("Logical HTTP calls (WebClient and RestClient) under http-retry, by outcome and why they stopped")
            .tag("client", key.client())
            .tag("method", key.method())
            .tag("outcome", key.reason().isSuccess() ? "success" : "failure")
            .tag("retried", String.valueOf(key.retried()))
            .tag("reason", key.reason().tagValue())
            .register(this.registry);
    }

    private Counter attemptCounter(AttemptKey key) {
        return Counter.builder(ATTEMPTS)
            .description("Attempts of HTTP calls under http-retry, by attempt number and what each produced")
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
            .description("Extra copies of hedged requests under http-retry: won, lost, or refused by the budget (not sent)")
            .tag("client", key.client())
            .tag("outcome", key.outcome().tagValue())
            .register(this.registry);
    }

    private Timer backoffTimer(BackoffKey key) {
        return Timer.builder(BACKOFF)
            .description("Waits before a retry under http-retry, by where their length came from")
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

    /**
     * The counters of one client and method, in arrays indexed by what varies: calls by stop reason
     * and whether retried; attempts that produced a response by attempt number (up to
     * {@value #CACHED_ATTEMPTS}), status and whether retried. Each slot is a cache of the map keyed
     * by records, which registers every meter exactly once; attempts that ended in an exception, or
     * beyond these bounds, use that map directly.
     */
    private static final class MethodMeters {

        static final int CACHED_ATTEMPTS = 8;

        private static final int STATUSES = 500;

        final AtomicReferenceArray<Counter> calls = new AtomicReferenceArray<>(StopReason.values().length * 2);

        /** By attempt number, each row made on first use (4 KiB with compressed references). */
        private final AtomicReferenceArray<@Nullable AtomicReferenceArray<Counter>> attempts =
                new AtomicReferenceArray<>(CACHED_ATTEMPTS);

        AtomicReferenceArray<Counter> attempts(int attempt) {
            AtomicReferenceArray<Counter> row = this.attempts.get(attempt - 1);
            if (row == null) {
                this.attempts.compareAndSet(attempt - 1, null, new AtomicReferenceArray<>(STATUSES * 2));
                row = this.attempts.get(attempt - 1);
            }
            return java.util.Objects.requireNonNull(row);
        }

        static int callSlot(StopReason reason, boolean retried) {
            return reason.ordinal() * 2 + (retried ? 1 : 0);
        }

        /** The slot of a response's status in a row of {@link #attempts(int)}, or -1 if it is not cached. */
        static int statusSlot(int status, boolean retried) {
            if (status < 100 || status >= 100 + STATUSES) {
                return -1;
            }
            return (status - 100) * 2 + (retried ? 1 : 0);
        }
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
