package dev.httpretry.core;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The recent latencies of one destination's attempts, for {@code hedging.delay: auto}: a histogram
 * of fixed buckets (8 per doubling, so a value is known to within 12.5%) over the current and the
 * previous {@value #WINDOW_SECONDS}-second window, from which {@link #percentileNanos} reads a
 * percentile. Two arrays of counts, allocated once: recording is a few arithmetic operations under
 * this object's monitor. Latencies from 1 microsecond to about twelve days are told apart; longer ones
 * count in the last bucket.
 */
public final class LatencyWindow {

    /** The length of one window: {@value} seconds. */
    public static final long WINDOW_SECONDS = 10;

    /** The fewest latencies a percentile is read from: {@value}. */
    public static final int MIN_SAMPLES = 20;

    private static final long WINDOW_NANOS = WINDOW_SECONDS * 1_000_000_000L;

    private static final int SUB_BUCKETS = 8;

    private static final int BUCKETS = 38 * SUB_BUCKETS;

    private final LongSupplier nanoTime;

    private int[] current = new int[BUCKETS];

    private int[] previous = new int[BUCKETS];

    private int currentCount;

    private int previousCount;

    private long currentStart;

    /**
     * An empty window.
     * @param nanoTime the time source, in nanoseconds (a monotonic one)
     */
    public LatencyWindow(LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.currentStart = nanoTime.getAsLong();
    }

    /**
     * Counts one attempt's latency.
     * @param nanos how long the attempt took to be answered (or, cut short, at least how long)
     */
    public synchronized void record(long nanos) {
        roll(this.nanoTime.getAsLong());
        this.current[bucket(Math.max(nanos, 0) / 1000)]++;
        this.currentCount++;
    }

    /**
     * A percentile of the latencies of the current and the previous window, at the top of its bucket.
     * @param percentile between 0 and 1, such as 0.95
     * @return nanoseconds; {@code -1} with fewer than {@value #MIN_SAMPLES} latencies
     */
    public synchronized long percentileNanos(double percentile) {
        roll(this.nanoTime.getAsLong());
        int total = this.currentCount + this.previousCount;
        if (total < MIN_SAMPLES) {
            return -1;
        }
        long rank = (long) Math.ceil(percentile * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += this.current[i] + this.previous[i];
            if (seen >= rank) {
                return upperMicros(i) * 1000;
            }
        }
        return upperMicros(BUCKETS - 1) * 1000;
    }

    /**
     * How many latencies the percentile is read from now.
     * @return the count over the current and the previous window
     */
    public synchronized int samples() {
        roll(this.nanoTime.getAsLong());
        return this.currentCount + this.previousCount;
    }

    /** Starts a new window when the current one is over; drops both after a quiet window. */
    private void roll(long now) {
        long elapsed = now - this.currentStart;
        if (elapsed < WINDOW_NANOS) {
            return;
        }
        int[] cleared = this.previous;
        Arrays.fill(cleared, 0);
        if (elapsed < 2 * WINDOW_NANOS) {
            this.previous = this.current;
            this.previousCount = this.currentCount;
            this.currentStart += WINDOW_NANOS;
        }
        else {
            Arrays.fill(this.current, 0);
            this.previous = this.current;
            this.previousCount = 0;
            this.currentStart = now;
        }
        this.current = cleared;
        this.currentCount = 0;
    }

    /** The bucket of a latency in microseconds: exact below 8, then 8 buckets per doubling. */
    static int bucket(long micros) {
        if (micros < SUB_BUCKETS) {
            return (int) micros;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(micros);
        int index = (exponent - 2) * SUB_BUCKETS + (int) ((micros >>> (exponent - 3)) & (SUB_BUCKETS - 1));
        return Math.min(index, BUCKETS - 1);
    }

    /** The largest latency, in microseconds, that falls in a bucket. */
    static long upperMicros(int bucket) {
        if (bucket < SUB_BUCKETS) {
            return bucket;
        }
        int exponent = bucket / SUB_BUCKETS + 2;
        long sub = bucket % SUB_BUCKETS;
        return ((SUB_BUCKETS + sub + 1) << (exponent - 3)) - 1;
    }

    @Override
    public synchronized String toString() {
        return "LatencyWindow[" + (this.currentCount + this.previousCount) + " latencies]";
    }
}
