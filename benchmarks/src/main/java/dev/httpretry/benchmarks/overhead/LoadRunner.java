package dev.httpretry.benchmarks.overhead;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs a fixed number of calls with a fixed number in flight, and measures throughput, the
 * latency of every call, and the bytes allocated per call by all threads of the JVM (the caller's,
 * Netty's event loops and the schedulers'), so allocation on other threads is not missed.
 */
public final class LoadRunner {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private LoadRunner() {
    }

    /**
     * Runs the calls.
     * @param calls how many calls
     * @param concurrency how many in flight at once
     * @param call one call; emits the final HTTP status, or -1 for an error
     * @return what was measured
     */
    public static Result run(int calls, int concurrency, Supplier<Mono<Integer>> call) {
        long[] latencies = new long[calls];
        int[] statuses = new int[calls];
        System.gc();
        long allocatedBefore = allocatedBytes();
        long cpuBefore = PROCESS.getProcessCpuTime();
        long start = System.nanoTime();
        Flux.range(0, calls)
            .flatMap((i) -> Mono.defer(() -> {
                long t0 = System.nanoTime();
                return call.get()
                    .onErrorResume((error) -> Mono.just(-1))
                    .doOnNext((status) -> {
                        statuses[i] = status;
                        latencies[i] = System.nanoTime() - t0;
                    });
            }), concurrency)
            .blockLast();
        long elapsed = System.nanoTime() - start;
        long cpu = PROCESS.getProcessCpuTime() - cpuBefore;
        long allocated = allocatedBytes() - allocatedBefore;
        Arrays.sort(latencies);
        int successes = (int) Arrays.stream(statuses).filter((status) -> status >= 200 && status < 300).count();
        return new Result(calls, successes, elapsed, latencies, allocated, cpu);
    }

    private static long allocatedBytes() {
        long[] ids = THREADS.getAllThreadIds();
        long total = 0;
        for (long bytes : THREADS.getThreadAllocatedBytes(ids)) {
            if (bytes > 0) {
                total += bytes;
            }
        }
        return total;
    }

    /**
     * What one run measured.
     * @param calls the calls made
     * @param successes calls that ended with a 2xx
     * @param elapsedNanos wall time of the run
     * @param sortedLatencies every call's latency in nanoseconds, sorted
     * @param allocatedBytes bytes allocated by all threads during the run
     * @param cpuNanos CPU time this JVM used during the run, all threads (the local server's too)
     */
    public record Result(int calls, int successes, long elapsedNanos, long[] sortedLatencies, long allocatedBytes,
            long cpuNanos) {

        /**
         * Calls per second.
         * @return the throughput
         */
        public double throughput() {
            return this.calls / (this.elapsedNanos / 1e9);
        }

        /**
         * A latency percentile in milliseconds.
         * @param percentile 0 to 100
         * @return the latency
         */
        public double percentileMillis(double percentile) {
            int index = (int) Math.ceil(percentile / 100.0 * this.sortedLatencies.length) - 1;
            return this.sortedLatencies[Math.max(0, Math.min(index, this.sortedLatencies.length - 1))] / 1e6;
        }

        /**
         * Bytes allocated per call, all threads.
         * @return the allocation per call
         */
        public double bytesPerCall() {
            return (double) this.allocatedBytes / this.calls;
        }

        /**
         * CPU time per call in microseconds, all threads of this JVM: unlike throughput, barely moved
         * by other processes competing for the cores.
         * @return the CPU time per call
         */
        public double cpuMicrosPerCall() {
            return this.cpuNanos / 1e3 / this.calls;
        }

        /**
         * Share of calls that succeeded.
         * @return 0 to 1
         */
        public double successRate() {
            return (double) this.successes / this.calls;
        }
    }
}
