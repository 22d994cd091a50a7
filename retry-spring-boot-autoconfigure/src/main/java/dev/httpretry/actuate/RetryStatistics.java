package dev.httpretry.actuate;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.BackoffEvent;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.StopReason;

/**
 * Live counts per client since start-up, for the {@code retry} actuator endpoint: calls by stop
 * reason (and so by outcome), attempts and waits. Thread-safe; recording is a few uncontended
 * additions.
 */
public final class RetryStatistics implements RetryListener {

    private final Map<String, ClientCounts> clients = new ConcurrentHashMap<>();

    @Override
    public void onAttempt(AttemptEvent event) {
        counts(event.client()).attempts.increment();
    }

    @Override
    public void onBackoff(BackoffEvent event) {
        counts(event.client()).waits.increment();
    }

    @Override
    public void onCallEnd(CallEvent event) {
        counts(event.client()).calls.get(event.reason()).increment();
    }

    /**
     * The counts of one client.
     * @param client the client's name
     * @return a snapshot of its counts (all zero if it made no call yet)
     */
    public Snapshot snapshot(String client) {
        ClientCounts counts = this.clients.get(client);
        Map<StopReason, Long> calls = new EnumMap<>(StopReason.class);
        for (StopReason reason : StopReason.values()) {
            calls.put(reason, (counts != null) ? counts.calls.get(reason).sum() : 0L);
        }
        return new Snapshot(calls, (counts != null) ? counts.attempts.sum() : 0, (counts != null) ? counts.waits.sum() : 0);
    }

    private ClientCounts counts(String client) {
        return this.clients.computeIfAbsent(client, (name) -> new ClientCounts());
    }

    /**
     * One client's counts at one moment.
     * @param calls the calls that ended, by stop reason ({@link StopReason#NONE} is a success)
     * @param attempts the attempts sent
     * @param waits the waits started before a retry
     */
    public record Snapshot(Map<StopReason, Long> calls, long attempts, long waits) {

        /**
         * All calls that ended.
         * @return the number of calls
         */
        public long totalCalls() {
            return this.calls.values().stream().mapToLong(Long::longValue).sum();
        }

        /**
         * The calls that succeeded.
         * @return the number of successful calls
         */
        public long successfulCalls() {
            return this.calls.getOrDefault(StopReason.NONE, 0L);
        }
    }

    private static final class ClientCounts {

        private final Map<StopReason, LongAdder> calls = new EnumMap<>(StopReason.class);

        private final LongAdder attempts = new LongAdder();

        private final LongAdder waits = new LongAdder();

        ClientCounts() {
            for (StopReason reason : StopReason.values()) {
                this.calls.put(reason, new LongAdder());
            }
        }
    }
}
