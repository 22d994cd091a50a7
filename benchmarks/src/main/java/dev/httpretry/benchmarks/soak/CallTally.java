package dev.httpretry.benchmarks.soak;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.StopReason;

/**
 * The soak's own listener: attempts by category, method and decision, and call ends by reason and
 * by method, counted apart from the filter's statistics and meters so those can be checked against it.
 */
final class CallTally implements RetryListener {

    private final Map<String, LongAdder> byMethod = new ConcurrentHashMap<>();

    private final Map<StopReason, LongAdder> reasons = new ConcurrentHashMap<>();

    private final Map<String, LongAdder> attempts = new ConcurrentHashMap<>();

    @Override
    public void onAttempt(AttemptEvent event) {
        String decision = (event.decision() instanceof RetryDecision.Stop stop) ? "stop: " + stop.reason().tagValue() : "retried";
        String method = event.method().equals("POST") ? "POST" : "GET/PUT";
        this.attempts.computeIfAbsent(event.decision().category() + " | " + method + " | " + decision, (k) -> new LongAdder())
            .increment();
    }

    Map<String, Long> attempts() {
        Map<String, Long> copy = new TreeMap<>();
        this.attempts.forEach((key, count) -> copy.put(key, count.sum()));
        return copy;
    }

    @Override
    public void onCallEnd(CallEvent event) {
        this.reasons.computeIfAbsent(event.reason(), (r) -> new LongAdder()).increment();
        this.byMethod.computeIfAbsent(event.method() + " " + event.reason().tagValue(), (r) -> new LongAdder()).increment();
    }

    Map<StopReason, Long> reasons() {
        Map<StopReason, Long> copy = new EnumMap<>(StopReason.class);
        this.reasons.forEach((reason, count) -> copy.put(reason, count.sum()));
        return copy;
    }

    Map<String, Long> byMethod() {
        Map<String, Long> copy = new TreeMap<>();
        this.byMethod.forEach((key, count) -> copy.put(key, count.sum()));
        return copy;
    }
}
