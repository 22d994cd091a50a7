package dev.httpretry.sample;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one client achieved in one demonstration.
 *
 * @param client the client's label
 * @param calls the logical calls made
 * @param successes the calls that ended in a 2xx response
 * @param attempts the requests the upstream received for these calls
 * @param amplification attempts per call: the load the client put on the upstream
 * @param p50Ms the median call latency, in milliseconds
 * @param p99Ms the 99th percentile call latency, in milliseconds
 * @param failures what the failed calls ended with ({@code 503}, {@code dropped}, {@code timeout}, ...), by count
 * @param stopReasons why the retrying client's calls stopped (reason tag values), empty for a client that does not retry
 * @param note what the row shows beyond a comparison on the same footing, empty for none
 */
public record RunResult(String client, int calls, int successes, long attempts, double amplification, double p50Ms,
        double p99Ms, Map<String, Integer> failures, Map<String, Long> stopReasons, String note) {

    /** Copies the maps, keeping their order. */
    public RunResult {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(note, "note");
        failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
        stopReasons = Collections.unmodifiableMap(new LinkedHashMap<>(stopReasons));
    }

    /**
     * Summarises the calls of one run.
     * @param client the client's label
     * @param calls what each call ended with
     * @param attempts the requests the upstream received for the run
     * @param stopReasons why calls stopped, for a retrying client
     * @param note what the row shows, or empty
     * @return the summary
     */
    static RunResult of(String client, List<Call> calls, long attempts, Map<String, Long> stopReasons, String note) {
        long[] latencies = calls.stream().mapToLong(Call::nanos).sorted().toArray();
        int successes = (int) calls.stream().filter(Call::success).count();
        Map<String, Integer> failures = new TreeMap<>();
        calls.stream().filter((call) -> !call.success()).forEach((call) -> failures.merge(call.failure(), 1, Integer::sum));
        double amplification = calls.isEmpty() ? 0 : round((double) attempts / calls.size(), 100);
        return new RunResult(client, calls.size(), successes, attempts, amplification,
                millis(percentile(latencies, 0.50)), millis(percentile(latencies, 0.99)),
                failures, stopReasons, note);
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    private static double millis(long nanos) {
        return round(nanos / 1_000_000.0, 10);
    }

    private static double round(double value, int scale) {
        return Math.round(value * scale) / (double) scale;
    }

    /**
     * One call's end.
     *
     * @param success whether it ended in a 2xx response
     * @param failure what it failed with, or {@code "none"}
     * @param nanos how long it took
     */
    record Call(boolean success, String failure, long nanos) {

        static Call ok(long nanos) {
            return new Call(true, "none", nanos);
        }

        static Call failed(String failure, long nanos) {
            return new Call(false, failure, nanos);
        }
    }
}
