package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The small records and enums: their checks, accessors and tag values. */
class ValueTypesTests {

    @Test
    void outcomeResponse() {
        assertThat(Outcome.response(503)).isEqualTo(new Outcome.Response(503, null));
        assertThat(Outcome.response(429, "5")).isEqualTo(new Outcome.Response(429, "5"));
        assertThat(((Outcome.Response) Outcome.response(429, "5")).retryAfter()).isEqualTo("5");
        assertThat(((Outcome.Response) Outcome.response(100)).status()).isEqualTo(100);
        assertThat(((Outcome.Response) Outcome.response(999)).status()).isEqualTo(999);
        assertThatIllegalArgumentException().isThrownBy(() -> Outcome.response(99)).withMessage("Invalid HTTP status (99): must be 100 to 999");
        assertThatIllegalArgumentException().isThrownBy(() -> Outcome.response(1000, null))
                .withMessage("Invalid HTTP status (1000): must be 100 to 999");
        assertThatIllegalArgumentException().isThrownBy(() -> Outcome.response(-503)).withMessage("Invalid HTTP status (-503): must be 100 to 999");
    }

    @Test
    void outcomeFailure() {
        IllegalStateException error = new IllegalStateException();
        assertThat(((Outcome.Failure) Outcome.failure(error)).error()).isSameAs(error);
        assertThatNullPointerException().isThrownBy(() -> new Outcome.Failure(null)).withMessage("error");
    }

    @Test
    void attempt() {
        Attempt first = Attempt.first(Outcome.response(503), "GET", true, Duration.ofSeconds(3));
        assertThat(first).isEqualTo(new Attempt(1, Outcome.response(503), "GET", true, Duration.ofSeconds(3), 0, null));
        assertThat(first.number()).isEqualTo(1);
        assertThat(first.serverErrorRetries()).isZero();
        assertThat(first.previousDelay()).isNull();
        assertThat(first.idempotencyKey()).isTrue();
        assertThatIllegalArgumentException().isThrownBy(() -> new Attempt(0, Outcome.response(503), "GET", false, Duration.ZERO, 0, null))
                .withMessage("Invalid attempt number (0): must be at least 1");
        assertThatIllegalArgumentException().isThrownBy(() -> new Attempt(2, Outcome.response(503), "GET", false, Duration.ZERO, -1, null))
                .withMessage("Invalid server error retry count (-1): must be zero or positive");
        assertThatNullPointerException().isThrownBy(() -> new Attempt(1, null, "GET", false, Duration.ZERO, 0, null)).withMessage("outcome");
        assertThatNullPointerException().isThrownBy(() -> new Attempt(1, Outcome.response(503), null, false, Duration.ZERO, 0, null))
                .withMessage("method");
        assertThatNullPointerException().isThrownBy(() -> new Attempt(1, Outcome.response(503), "GET", false, null, 0, null))
                .withMessage("timeLeft");
        // a passed deadline is a valid input: decide() stops on it
        assertThat(new Attempt(1, Outcome.response(503), "GET", false, Duration.ofSeconds(-1), 0, null).timeLeft()).isNegative();
    }

    @Test
    void decisions() {
        RetryDecision.Retry retry = new RetryDecision.Retry(Category.RATE_LIMITED, Duration.ZERO, DelaySource.RETRY_AFTER);
        assertThat(retry.category()).isEqualTo(Category.RATE_LIMITED);
        assertThat(retry.delay()).isZero();
        assertThat(retry.source()).isEqualTo(DelaySource.RETRY_AFTER);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RetryDecision.Retry(Category.UNAVAILABLE, Duration.ofMillis(-1), DelaySource.BACKOFF))
                .withMessage("Invalid delay (PT-0.001S): must be zero or positive");
        assertThatNullPointerException().isThrownBy(() -> new RetryDecision.Retry(null, Duration.ZERO, DelaySource.BACKOFF))
                .withMessage("category");
        assertThatNullPointerException().isThrownBy(() -> new RetryDecision.Retry(Category.UNAVAILABLE, Duration.ZERO, null))
                .withMessage("source");
        RetryDecision.Stop stop = new RetryDecision.Stop(Category.PERMANENT, StopReason.NOT_RETRYABLE);
        assertThat(stop.category()).isEqualTo(Category.PERMANENT);
        assertThat(stop.reason()).isEqualTo(StopReason.NOT_RETRYABLE);
        assertThatNullPointerException().isThrownBy(() -> new RetryDecision.Stop(null, StopReason.NONE)).withMessage("category");
        assertThatNullPointerException().isThrownBy(() -> new RetryDecision.Stop(Category.SUCCESS, null)).withMessage("reason");
    }

    @Test
    void stopReasonTagValuesMatchTheMetricsContract() {
        assertThat(Arrays.stream(StopReason.values()).map(StopReason::tagValue)).containsExactly("none", "not_retryable",
                "exhausted", "deadline", "budget", "retry_after_too_long", "unsafe_method", "body_not_replayable", "cancelled", "shutdown", "throttled");
    }

    @Test
    void onlyNoneIsASuccess() {
        assertThat(Arrays.stream(StopReason.values()).filter(StopReason::isSuccess)).containsExactly(StopReason.NONE);
    }

    @Test
    void delaySourceTagValues() {
        assertThat(Arrays.stream(DelaySource.values()).map(DelaySource::tagValue)).containsExactly("backoff", "retry_after", "rate_limit");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0, 0s", "1000000000, 1s", "2000000000, 2s", "59000000000, 59s", "60000000000, 1m", "90000000000, 90s",
            "120000000000, 2m", "3600000000000, 1h", "7200000000000, 2h", "3660000000000, 61m", "86400000000000, 24h",
            "250000000, 250ms", "1500000000, 1500ms", "1000000, 1ms", "1500000, 1500us", "1000, 1us", "1, 1ns",
            "1500, 1500ns", "-1000000, -1ms", "-1000000000, -1s", "-60000000000, -1m", "-3600000000000, -1h", "-1, -1ns",
    })
    void formatPicksTheLargestExactUnit(long nanos, String expected) {
        assertThat(Durations.format(Duration.ofNanos(nanos))).isEqualTo(expected);
    }

    @Test
    void formatOfDurationsBeyondLongNanos() {
        assertThat(Durations.format(Duration.ofDays(100_000_000))).isEqualTo("8640000000000s");
        assertThat(Durations.format(Duration.ofSeconds(-10_000_000_000L))).isEqualTo("-10000000000s");
    }

    @Test
    void saturatedMultiply() {
        assertThat(Durations.saturatedMultiply(3, 4)).isEqualTo(12);
        assertThat(Durations.saturatedMultiply(-5, 3)).isEqualTo(-15);
        assertThat(Durations.saturatedMultiply(5, -3)).isEqualTo(-15);
        assertThat(Durations.saturatedMultiply(-5, -3)).isEqualTo(15);
        assertThat(Durations.saturatedMultiply(0, Long.MAX_VALUE)).isZero();
        assertThat(Durations.saturatedMultiply(-1, 1)).isEqualTo(-1);
        assertThat(Durations.saturatedMultiply(Long.MIN_VALUE, 1)).isEqualTo(Long.MIN_VALUE);
        assertThat(Durations.saturatedMultiply(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
        assertThat(Durations.saturatedMultiply(Long.MAX_VALUE / 3, 3)).isEqualTo(Long.MAX_VALUE / 3 * 3);
        assertThat(Durations.saturatedMultiply(Long.MAX_VALUE / 3 + 1, 3)).isEqualTo(Long.MAX_VALUE);
        assertThat(Durations.saturatedMultiply(Long.MAX_VALUE, 3)).isEqualTo(Long.MAX_VALUE);
        assertThat(Durations.saturatedMultiply(Long.MIN_VALUE, 3)).isEqualTo(Long.MIN_VALUE);
        assertThat(Durations.saturatedMultiply(Long.MAX_VALUE, -3)).isEqualTo(Long.MIN_VALUE);
        assertThat(Durations.saturatedMultiply(Long.MIN_VALUE, -1)).isEqualTo(Long.MAX_VALUE);
        assertThat(Durations.saturatedMultiply(Long.MIN_VALUE / 3 - 1, 3)).isEqualTo(Long.MIN_VALUE);
        // 2^62 fits, 2^63 does not
        assertThat(Durations.saturatedMultiply(1L << 31, 1L << 31)).isEqualTo(1L << 62);
        assertThat(Durations.saturatedMultiply(1L << 32, 1L << 31)).isEqualTo(Long.MAX_VALUE);
        // -2^63 fits exactly
        assertThat(Durations.saturatedMultiply(-(1L << 32), 1L << 31)).isEqualTo(Long.MIN_VALUE);
        // ±2^64: the low 64 bits are all zero, only the high half shows the overflow
        assertThat(Durations.saturatedMultiply(1L << 32, 1L << 32)).isEqualTo(Long.MAX_VALUE);
        assertThat(Durations.saturatedMultiply(-(1L << 32), 1L << 32)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void toNanosSaturates() {
        assertThat(Durations.toNanos(Duration.ofMillis(1500))).isEqualTo(1_500_000_000L);
        assertThat(Durations.toNanos(Duration.ofMillis(-1500))).isEqualTo(-1_500_000_000L);
        assertThat(Durations.toNanos(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
        assertThat(Durations.toNanos(Duration.ofSeconds(Long.MIN_VALUE))).isEqualTo(Long.MIN_VALUE);
        assertThat(Durations.toNanos(Duration.ofDays(100_000_000))).isEqualTo(Long.MAX_VALUE);
        assertThat(Durations.toNanos(Duration.ofDays(-100_000_000))).isEqualTo(Long.MIN_VALUE);
    }
}
