package dev.httpretry.core;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Recent latencies of a destination: buckets within 12.5%, a percentile read over two windows, and forgetting. */
class LatencyWindowTests {

    private static final long MS = 1_000_000L;

    private final AtomicLong now = new AtomicLong(3_000 * MS);

    private final LatencyWindow window = new LatencyWindow(this.now::get);

    @Test
    void everyLatencyFallsInABucketWhoseTopIsWithinAnEighthAboveIt() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            long micros = (i < 1_000) ? i : random.nextLong(1, 1L << 39);
            int bucket = LatencyWindow.bucket(micros);
            long top = LatencyWindow.upperMicros(bucket);
            assertThat(top).as("top of the bucket of %d", micros).isGreaterThanOrEqualTo(micros).isLessThanOrEqualTo(micros + micros / 8 + 1);
            assertThat(bucket == 0 || LatencyWindow.upperMicros(bucket - 1) < micros).as("the bucket below ends below %d", micros).isTrue();
        }
    }

    @Test
    void noPercentileUntilEnoughLatencies() {
        for (int i = 1; i < LatencyWindow.MIN_SAMPLES; i++) {
            this.window.record(5 * MS);
            assertThat(this.window.percentileNanos(0.95)).isEqualTo(-1);
        }
        this.window.record(5 * MS);
        assertThat(this.window.percentileNanos(0.95)).isBetween(5 * MS, 5 * MS + 5 * MS / 8);
    }

    @Test
    void theNinetyFifthPercentileOfAKnownSpread() {
        // 1 ms to 100 ms, each once: the 95th is 95 ms
        for (int i = 1; i <= 100; i++) {
            this.window.record(i * MS);
        }
        assertThat(this.window.percentileNanos(0.95)).isBetween(95 * MS, 95 * MS + 95 * MS / 8);
        assertThat(this.window.percentileNanos(0.5)).isBetween(50 * MS, 50 * MS + 50 * MS / 8);
    }

    @Test
    void oldLatenciesAreForgottenAfterTwoWindows() {
        for (int i = 0; i < 50; i++) {
            this.window.record(200 * MS);
        }
        this.now.addAndGet(LatencyWindow.WINDOW_SECONDS * 1_000 * MS);
        for (int i = 0; i < 50; i++) {
            this.window.record(10 * MS);
        }
        assertThat(this.window.samples()).as("the previous window still counts").isEqualTo(100);
        assertThat(this.window.percentileNanos(0.95)).isGreaterThanOrEqualTo(200 * MS);
        this.now.addAndGet(LatencyWindow.WINDOW_SECONDS * 1_000 * MS);
        this.window.record(10 * MS);
        assertThat(this.window.samples()).isEqualTo(51);
        assertThat(this.window.percentileNanos(0.95)).isLessThan(12 * MS);
        this.now.addAndGet(3 * LatencyWindow.WINDOW_SECONDS * 1_000 * MS);
        assertThat(this.window.samples()).as("a quiet destination forgets all").isZero();
    }
}
