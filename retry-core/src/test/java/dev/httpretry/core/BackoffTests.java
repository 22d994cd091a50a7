package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exact delays for fixed random values. Backoff: initial 100ms, multiplier 2, max 1s, so the
 * capped delays before retries 1..5 are 100, 200, 400, 800 and 1000 (not 1600) ms.
 */
class BackoffTests {

    private static final Duration INITIAL = Duration.ofMillis(100);

    private static final Duration MAX = Duration.ofSeconds(1);

    private static final Duration HUGE = Duration.ofDays(100_000_000);

    private static Backoff backoff(Jitter jitter) {
        return new Backoff(INITIAL, 2.0, MAX, jitter);
    }

    /** The delays before retries 1..5, in milliseconds (with fractions where the maths has them). */
    @ParameterizedTest(name = "{0} random={1}: {2} {3} {4} {5} {6} ms")
    @CsvSource({
            // NONE: the capped delay whatever the random value
            "NONE,         0,      100,    200,    400,    800,    1000",
            "NONE,         0.25,   100,    200,    400,    800,    1000",
            "NONE,         0.5,    100,    200,    400,    800,    1000",
            "NONE,         0.9999, 100,    200,    400,    800,    1000",
            // FULL: capped * random
            "FULL,         0,      0,      0,      0,      0,      0",
            "FULL,         0.25,   25,     50,     100,    200,    250",
            "FULL,         0.5,    50,     100,    200,    400,    500",
            "FULL,         0.9999, 99.99,  199.98, 399.96, 799.92, 999.9",
            // EQUAL: capped / 2 + (capped / 2) * random
            "EQUAL,        0,      50,     100,    200,    400,    500",
            "EQUAL,        0.25,   62.5,   125,    250,    500,    625",
            "EQUAL,        0.5,    75,     150,    300,    600,    750",
            "EQUAL,        0.9999, 99.995, 199.99, 399.98, 799.96, 999.95",
            // DECORRELATED with previous = initial: 100 + (300 - 100) * random, whatever the retry number
            "DECORRELATED, 0,      100,    100,    100,    100,    100",
            "DECORRELATED, 0.25,   150,    150,    150,    150,    150",
            "DECORRELATED, 0.5,    200,    200,    200,    200,    200",
            "DECORRELATED, 0.9999, 299.98, 299.98, 299.98, 299.98, 299.98",
    })
    void exactDelaysForFixedRandomValues(Jitter jitter, double random, String r1, String r2, String r3, String r4,
            String r5) {
        Backoff backoff = backoff(jitter);
        List<Duration> actual = new ArrayList<>();
        for (int retry = 1; retry <= 5; retry++) {
            actual.add(backoff.delay(retry, INITIAL, random));
        }
        assertThat(actual).containsExactly(millis(r1), millis(r2), millis(r3), millis(r4), millis(r5));
    }

    private static Duration millis(String value) {
        return Duration.ofNanos(new java.math.BigDecimal(value).movePointRight(6).longValueExact());
    }

    @Test
    void cappedDelayGrowsByTheMultiplierUntilTheCap() {
        Backoff backoff = backoff(Jitter.FULL);
        assertThat(List.of(1, 2, 3, 4, 5, 6).stream().map(backoff::cappedDelay)).containsExactly(
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800), MAX, MAX);
    }

    @Test
    void fractionalMultiplier() {
        Backoff backoff = new Backoff(INITIAL, 1.5, Duration.ofSeconds(10), Jitter.NONE);
        assertThat(List.of(1, 2, 3, 4, 5).stream().map(backoff::cappedDelay)).containsExactly(
                Duration.ofMillis(100), Duration.ofMillis(150), Duration.ofMillis(225), Duration.ofNanos(337_500_000),
                Duration.ofNanos(506_250_000));
    }

    @Test
    void multiplierOneKeepsTheInitialDelay() {
        Backoff backoff = new Backoff(INITIAL, 1.0, MAX, Jitter.NONE);
        assertThat(backoff.cappedDelay(1)).isEqualTo(INITIAL);
        assertThat(backoff.cappedDelay(10_000)).isEqualTo(INITIAL);
        assertThat(backoff.cappedDelay(Integer.MAX_VALUE)).isEqualTo(INITIAL);
    }

    @Test
    void cappedBeforeJitterSoFullJitterStillSpreadsAtTheCap() {
        Backoff backoff = backoff(Jitter.FULL);
        // retries 5 and later are all at the 1s cap; the jitter still applies to the capped delay
        for (int retry = 5; retry <= 12; retry++) {
            assertThat(backoff.delay(retry, INITIAL, 0.25)).as("retry %d", retry).isEqualTo(Duration.ofMillis(250));
            assertThat(backoff.delay(retry, INITIAL, 0.5)).as("retry %d", retry).isEqualTo(Duration.ofMillis(500));
            assertThat(backoff.delay(retry, INITIAL, 0.75)).as("retry %d", retry).isEqualTo(Duration.ofMillis(750));
        }
        Backoff equal = backoff(Jitter.EQUAL);
        assertThat(equal.delay(8, INITIAL, 0.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(equal.delay(8, INITIAL, 0.5)).isEqualTo(Duration.ofMillis(750));
    }

    @Test
    void decorrelatedIsUniformBetweenInitialAndThreeTimesThePreviousWait() {
        Backoff backoff = new Backoff(INITIAL, 2.0, Duration.ofSeconds(10), Jitter.DECORRELATED);
        // previous 1s: uniform[100ms, 3s]
        assertThat(backoff.delay(1, Duration.ofSeconds(1), 0.0)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delay(1, Duration.ofSeconds(1), 0.25)).isEqualTo(Duration.ofMillis(825));
        assertThat(backoff.delay(1, Duration.ofSeconds(1), 0.5)).isEqualTo(Duration.ofMillis(1550));
        // previous * 3 below the initial delay: the initial delay
        assertThat(backoff.delay(1, Duration.ofMillis(10), 0.5)).isEqualTo(INITIAL);
        // a negative previous wait counts as zero
        assertThat(backoff.delay(1, Duration.ofMillis(-5), 0.9)).isEqualTo(INITIAL);
    }

    @Test
    void decorrelatedIsCappedAtTheMaxDelay() {
        Backoff backoff = backoff(Jitter.DECORRELATED);
        // previous 1s: uniform[100ms, 3s] = 1550ms at 0.5, capped to 1s
        assertThat(backoff.delay(1, Duration.ofSeconds(1), 0.5)).isEqualTo(MAX);
        assertThat(backoff.delay(1, Duration.ofSeconds(1), 0.25)).isEqualTo(Duration.ofMillis(825));
    }

    @Test
    void decorrelatedChainFeedsEachWaitIntoTheNext() {
        Backoff backoff = backoff(Jitter.DECORRELATED);
        List<Duration> waits = new ArrayList<>();
        Duration previous = INITIAL;
        for (int retry = 1; retry <= 5; retry++) {
            previous = backoff.delay(retry, previous, 0.5);
            waits.add(previous);
        }
        // 100 + (300 - 100) / 2 = 200; 100 + (600 - 100) / 2 = 350; 100 + (1050 - 100) / 2 = 575;
        // 100 + (1725 - 100) / 2 = 912.5; 100 + (2737.5 - 100) / 2 = 1418.75, capped to 1000
        assertThat(waits).containsExactly(Duration.ofMillis(200), Duration.ofMillis(350), Duration.ofMillis(575),
                Duration.ofNanos(912_500_000), MAX);
    }

    @ParameterizedTest
    @EnumSource(Jitter.class)
    void zeroInitialDelayMeansNoWait(Jitter jitter) {
        Backoff backoff = new Backoff(Duration.ZERO, 2.0, MAX, jitter);
        assertThat(backoff.cappedDelay(1)).isZero();
        assertThat(backoff.cappedDelay(30)).isZero();
        assertThat(backoff.delay(7, Duration.ZERO, 0.9999)).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = { 63, 64, 1_024, 10_000, Integer.MAX_VALUE })
    void manyRetriesGiveTheCapWithoutOverflow(int retry) {
        for (Jitter jitter : Jitter.values()) {
            Backoff backoff = backoff(jitter);
            assertThat(backoff.cappedDelay(retry)).as("%s retry %d", jitter, retry).isEqualTo(MAX);
            Duration delay = backoff.delay(retry, MAX, 0.5);
            assertThat(delay).as("%s retry %d", jitter, retry).isBetween(Duration.ZERO, MAX);
        }
        assertThat(backoff(Jitter.NONE).delay(retry, INITIAL, 0.5)).isEqualTo(MAX);
        assertThat(backoff(Jitter.FULL).delay(retry, INITIAL, 0.5)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff(Jitter.EQUAL).delay(retry, INITIAL, 0.5)).isEqualTo(Duration.ofMillis(750));
    }

    @ParameterizedTest
    @EnumSource(Jitter.class)
    void hugeDurationsSaturateInsteadOfOverflowing(Jitter jitter) {
        Duration saturated = Duration.ofNanos(Long.MAX_VALUE);
        Backoff huge = new Backoff(HUGE, 2.0, HUGE, jitter);
        for (int retry : new int[] { 1, 2, 64, Integer.MAX_VALUE }) {
            assertThat(huge.cappedDelay(retry)).isEqualTo(saturated);
            for (double random : new double[] { 0, 0.25, 0.5, 0.9999, Math.nextDown(1.0) }) {
                Duration delay = huge.delay(retry, HUGE, random);
                assertThat(delay).as("retry %d random %s", retry, random).isBetween(Duration.ZERO, saturated);
            }
        }
        Backoff hugeCap = new Backoff(Duration.ofSeconds(1), 10.0, HUGE, jitter);
        assertThat(hugeCap.cappedDelay(Integer.MAX_VALUE)).isEqualTo(saturated);
        assertThat(hugeCap.delay(Integer.MAX_VALUE, HUGE, 0.9999)).isBetween(Duration.ZERO, saturated);
    }

    @Test
    void hugeDurationsKeepTheirJitter() {
        long max = Long.MAX_VALUE;
        assertThat(new Backoff(HUGE, 2.0, HUGE, Jitter.NONE).delay(3, HUGE, 0.5).toNanos()).isEqualTo(max);
        assertThat(new Backoff(HUGE, 2.0, HUGE, Jitter.FULL).delay(3, HUGE, 0.5).toNanos()).isEqualTo(max / 2 + 1);
        assertThat(new Backoff(HUGE, 2.0, HUGE, Jitter.EQUAL).delay(3, HUGE, 0.0).toNanos()).isEqualTo(max / 2);
        assertThat(new Backoff(HUGE, 2.0, HUGE, Jitter.DECORRELATED).delay(3, HUGE, 0.5).toNanos()).isEqualTo(max);
    }

    @ParameterizedTest
    @ValueSource(doubles = { -0.0001, -1, 1.0, 1.5, Double.NaN, Double.POSITIVE_INFINITY })
    void randomOutsideZeroToOneIsRejected(double random) {
        assertThatIllegalArgumentException().isThrownBy(() -> backoff(Jitter.FULL).delay(1, INITIAL, random))
                .withMessage("Invalid random value (" + random + "): must be in [0, 1)");
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, -1, Integer.MIN_VALUE })
    void retryNumberBelowOneIsRejected(int retry) {
        assertThatIllegalArgumentException().isThrownBy(() -> backoff(Jitter.NONE).cappedDelay(retry))
                .withMessage("Invalid retry number (" + retry + "): must be at least 1");
        assertThatIllegalArgumentException().isThrownBy(() -> backoff(Jitter.NONE).delay(retry, INITIAL, 0.5))
                .withMessage("Invalid retry number (" + retry + "): must be at least 1");
    }

    @Test
    void constructorRejectsMeaninglessArguments() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Backoff(Duration.ofMillis(-1), 2, MAX, Jitter.FULL))
                .withMessage("Invalid backoff.initial-delay (-1ms): must be zero or positive");
        assertThatIllegalArgumentException().isThrownBy(() -> new Backoff(MAX, 2, INITIAL, Jitter.FULL))
                .withMessage("Invalid backoff.max-delay (100ms): must be at least backoff.initial-delay (1s)");
        assertThatIllegalArgumentException().isThrownBy(() -> new Backoff(INITIAL, 0.999, MAX, Jitter.FULL))
                .withMessage("Invalid backoff.multiplier (0.999): must be a finite number of at least 1.0");
        assertThatIllegalArgumentException().isThrownBy(() -> new Backoff(INITIAL, Double.NaN, MAX, Jitter.FULL))
                .withMessage("Invalid backoff.multiplier (NaN): must be a finite number of at least 1.0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Backoff(INITIAL, Double.POSITIVE_INFINITY, MAX, Jitter.FULL))
                .withMessage("Invalid backoff.multiplier (Infinity): must be a finite number of at least 1.0");
        assertThatNullPointerException().isThrownBy(() -> new Backoff(null, 2, MAX, Jitter.FULL)).withMessage("initialDelay");
        assertThatNullPointerException().isThrownBy(() -> new Backoff(INITIAL, 2, null, Jitter.FULL)).withMessage("maxDelay");
        assertThatNullPointerException().isThrownBy(() -> new Backoff(INITIAL, 2, MAX, null)).withMessage("jitter");
        // the limits themselves are allowed
        assertThat(new Backoff(Duration.ZERO, 1.0, Duration.ZERO, Jitter.FULL).cappedDelay(5)).isZero();
        assertThat(new Backoff(MAX, 1.0, MAX, Jitter.NONE).cappedDelay(5)).isEqualTo(MAX);
    }

    @Test
    void configNamesAreLowerCase() {
        assertThat(List.of(Jitter.values()).stream().map(Jitter::configName))
                .containsExactly("none", "full", "equal", "decorrelated");
    }
}
