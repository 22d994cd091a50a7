package dev.httpretry.sample;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.httpretry.core.CallEvent;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.StopReason;

/**
 * Counts, per retry client, why calls stopped. A {@link RetryListener} bean like this one is all an
 * application needs to watch the retry filter: the starter hands every call's end to each such bean.
 * Thread-safe.
 */
public final class StopReasons implements RetryListener {

    private final Map<String, LongAdder[]> clients = new ConcurrentHashMap<>();

    @Override
    public void onCallEnd(CallEvent event) {
        this.clients.computeIfAbsent(event.client(), (name) -> newCounts())[event.reason().ordinal()].increment();
    }

    /**
     * The counts of one client now.
     * @param client the client's name
     * @return every reason with its count
     */
    public Map<StopReason, Long> snapshot(String client) {
        LongAdder[] counts = this.clients.get(client);
        Map<StopReason, Long> snapshot = new EnumMap<>(StopReason.class);
        for (StopReason reason : StopReason.values()) {
            snapshot.put(reason, (counts != null) ? counts[reason.ordinal()].sum() : 0L);
        }
        return snapshot;
    }

    /**
     * The calls that stopped between two snapshots, by reason (metric tag values), without zeros.
     * @param before the earlier snapshot
     * @param after the later snapshot
     * @return reasons and counts, in the order of {@link StopReason}
     */
    public static Map<String, Long> between(Map<StopReason, Long> before, Map<StopReason, Long> after) {
        Map<String, Long> delta = new LinkedHashMap<>();
        for (StopReason reason : StopReason.values()) {
            long count = after.getOrDefault(reason, 0L) - before.getOrDefault(reason, 0L);
            if (count != 0) {
                delta.put(reason.tagValue(), count);
            }
        }
        return delta;
    }

    /** A count per reason, indexed by its ordinal. */
    private static LongAdder[] newCounts() {
        LongAdder[] counts = new LongAdder[StopReason.values().length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
        return counts;
    }
}
