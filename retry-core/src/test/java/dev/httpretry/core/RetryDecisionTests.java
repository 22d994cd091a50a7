package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RetryPolicy#decide}, rule by rule. Unless a test says otherwise: defaults (initial delay 1s,
 * multiplier 2, full jitter) with the random value fixed at 0.5, so the backoff before retries 1, 2
 * and 3 is 500ms, 1s and 2s; 15s left before the deadline.
 */
class RetryDecisionTests {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("1994-11-06T08:49:00Z"), ZoneOffset.UTC);

    private static final Duration TIME_LEFT = Duration.ofSeconds(15);

    private final CountingBudget budget = new CountingBudget(true);

    private static RetryPolicyBuilder builder() {
        return RetryPolicy.builder().random(() -> 0.5).clock(CLOCK);
    }

    private static final RetryPolicy POLICY = builder().build();

    private static Attempt first(Outcome outcome) {
        return Attempt.first(outcome, "GET", false, TIME_LEFT);
    }

    private static Attempt attempt(int number, Outcome outcome) {
        return new Attempt(number, outcome, "GET", false, TIME_LEFT, 0, null);
    }

    private static Attempt withMethod(String method, boolean idempotencyKey, Outcome outcome) {
        return Attempt.first(outcome, method, idempotencyKey, TIME_LEFT);
    }

    private static Attempt withTimeLeft(Duration timeLeft, Outcome outcome) {
        return Attempt.first(outcome, "GET", false, timeLeft);
    }

    private RetryDecision decide(RetryPolicy policy, Attempt attempt) {
        return policy.decide(attempt, budget);
    }

    private RetryDecision decide(Attempt attempt) {
        return decide(POLICY, attempt);
    }

    private static RetryDecision retry(Category category, long millis) {
        return new RetryDecision.Retry(category, Duration.ofMillis(millis), DelaySource.BACKOFF);
    }

    private static RetryDecision retryAfter(Category category, long millis) {
        return new RetryDecision.Retry(category, Duration.ofMillis(millis), DelaySource.RETRY_AFTER);
    }

    private static RetryDecision stop(Category category, StopReason reason) {
        return new RetryDecision.Stop(category, reason);
    }

    // ---- one test per row of the classification table ----

    @ParameterizedTest
    @ValueSource(ints = { 200, 204, 301, 304 })
    void successStopsWithReasonNone(int status) {
        assertThat(decide(first(Outcome.response(status)))).isEqualTo(stop(Category.SUCCESS, StopReason.NONE));
        assertThat(budget.acquireCalls).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = { 400, 401, 403, 404, 405, 418, 501, 505 })
    void permanentStatusesAreNotRetried(int status) {
        assertThat(decide(first(Outcome.response(status)))).isEqualTo(stop(Category.PERMANENT, StopReason.NOT_RETRYABLE));
        assertThat(decide(first(Outcome.response(status, "1")))).isEqualTo(stop(Category.PERMANENT, StopReason.NOT_RETRYABLE));
        assertThat(budget.acquireCalls).isZero();
    }

    @Test
    void tooManyRequestsIsRetried() {
        assertThat(decide(first(Outcome.response(429)))).isEqualTo(retry(Category.RATE_LIMITED, 500));
        assertThat(budget.acquireCalls).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(ints = { 502, 503, 504 })
    void unavailableStatusesAreRetried(int status) {
        assertThat(decide(first(Outcome.response(status)))).isEqualTo(retry(Category.UNAVAILABLE, 500));
    }

    @Test
    void internalServerErrorIsRetriedOnceByDefault() {
        assertThat(decide(first(Outcome.response(500)))).isEqualTo(retry(Category.SERVER_ERROR, 500));
        Attempt second = new Attempt(2, Outcome.response(500), "GET", false, TIME_LEFT, 1, Duration.ofMillis(500));
        assertThat(decide(second)).isEqualTo(stop(Category.SERVER_ERROR, StopReason.EXHAUSTED));
        assertThat(budget.acquireCalls).isEqualTo(1);
    }

    @Test
    void internalServerErrorWithoutServerErrorRetriesIsNotRetryable() {
        RetryPolicy policy = builder().serverErrorRetries(0).build();
        assertThat(decide(policy, first(Outcome.response(500)))).isEqualTo(stop(Category.SERVER_ERROR, StopReason.NOT_RETRYABLE));
        assertThat(budget.acquireCalls).isZero();
    }

    @Test
    void serverErrorRetriesCountsRetriesOfA500() {
        RetryPolicy policy = builder().serverErrorRetries(2).maxAttempts(10).build();
        assertThat(decide(policy, new Attempt(2, Outcome.response(500), "GET", false, TIME_LEFT, 1, null)))
                .isEqualTo(retry(Category.SERVER_ERROR, 1000));
        assertThat(decide(policy, new Attempt(3, Outcome.response(500), "GET", false, TIME_LEFT, 2, null)))
                .isEqualTo(stop(Category.SERVER_ERROR, StopReason.EXHAUSTED));
        // the 500 count does not limit other statuses
        assertThat(decide(policy, new Attempt(3, Outcome.response(503), "GET", false, TIME_LEFT, 2, null)))
                .isEqualTo(retry(Category.UNAVAILABLE, 2000));
    }

    @Test
    void refusedConnectionIsRetriedAfterAtLeastTheMinimumDelay() {
        assertThat(decide(first(Outcome.failure(new ConnectException("Connection refused")))))
                .isEqualTo(retry(Category.CONNECTION_REFUSED, 2000));
    }

    @Test
    void dnsFailureIsRetriedWithTheBackoffAlone() {
        assertThat(decide(first(Outcome.failure(new UnknownHostException())))).isEqualTo(retry(Category.DNS_FAILURE, 500));
    }

    @Test
    void timeoutsResetsAndIoErrorsAreRetried() {
        assertThat(decide(first(Outcome.failure(new SocketTimeoutException())))).isEqualTo(retry(Category.RESPONSE_TIMEOUT, 500));
        assertThat(decide(first(Outcome.failure(new TimeoutException())))).isEqualTo(retry(Category.RESPONSE_TIMEOUT, 500));
        assertThat(decide(first(Outcome.failure(new SocketException("Connection reset")))))
                .isEqualTo(retry(Category.CONNECTION_RESET, 500));
        assertThat(decide(first(Outcome.failure(new IOException())))).isEqualTo(retry(Category.IO_ERROR, 500));
    }

    @Test
    void unknownErrorsAreNotRetried() {
        assertThat(decide(first(Outcome.failure(new SSLHandshakeException("x")))))
                .isEqualTo(stop(Category.UNKNOWN_ERROR, StopReason.NOT_RETRYABLE));
        assertThat(decide(first(Outcome.failure(new IllegalStateException()))))
                .isEqualTo(stop(Category.UNKNOWN_ERROR, StopReason.NOT_RETRYABLE));
        assertThat(budget.acquireCalls).isZero();
    }

    @Test
    void localSaturationIsNotRetried() {
        RetryPolicy policy = builder().exceptionClassifier(error -> Category.LOCAL_SATURATION).build();
        assertThat(decide(policy, first(Outcome.failure(new ConnectException()))))
                .isEqualTo(stop(Category.LOCAL_SATURATION, StopReason.NOT_RETRYABLE));
    }

    @Test
    void connectTimeoutFromACustomClassifierIsRetried() {
        RetryPolicy policy = builder().exceptionClassifier(error -> Category.CONNECT_TIMEOUT).build();
        assertThat(decide(policy, first(Outcome.failure(new ConnectException())))).isEqualTo(retry(Category.CONNECT_TIMEOUT, 500));
    }

    // ---- attempts and backoff ----

    @Test
    void backoffGrowsWithTheAttemptNumber() {
        assertThat(decide(attempt(1, Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 500));
        assertThat(decide(attempt(2, Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 1000));
        assertThat(decide(attempt(3, Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 2000));
    }

    @Test
    void theRandomSourceIsAskedForEachDecision() {
        double[] values = { 0.0, 0.25, 0.9999 };
        int[] next = { 0 };
        RetryPolicy policy = builder().random(() -> values[next[0]++]).build();
        assertThat(decide(policy, first(Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 0));
        assertThat(decide(policy, first(Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 250));
        assertThat(decide(policy, first(Outcome.response(503))))
                .isEqualTo(new RetryDecision.Retry(Category.UNAVAILABLE, Duration.ofNanos(999_900_000), DelaySource.BACKOFF));
    }

    @Test
    void decorrelatedJitterUsesThePreviousWait() {
        RetryPolicy policy = builder().jitter(Jitter.DECORRELATED).initialDelay(Duration.ofMillis(100))
                .maxDelay(Duration.ofSeconds(10)).build();
        // before the first retry the previous wait is the initial delay: 100 + (300 - 100) / 2
        assertThat(decide(policy, first(Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 200));
        // then the attempt's previous wait: 100 + (3000 - 100) / 2
        assertThat(decide(policy, new Attempt(2, Outcome.response(503), "GET", false, TIME_LEFT, 0, Duration.ofSeconds(1))))
                .isEqualTo(retry(Category.UNAVAILABLE, 1550));
    }

    @Test
    void exhaustedAtMaxAttempts() {
        assertThat(decide(attempt(3, Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 2000));
        assertThat(decide(attempt(4, Outcome.response(503)))).isEqualTo(stop(Category.UNAVAILABLE, StopReason.EXHAUSTED));
        assertThat(decide(attempt(5, Outcome.response(503)))).isEqualTo(stop(Category.UNAVAILABLE, StopReason.EXHAUSTED));
        assertThat(decide(attempt(4, Outcome.failure(new ConnectException()))))
                .isEqualTo(stop(Category.CONNECTION_REFUSED, StopReason.EXHAUSTED));
        assertThat(budget.acquireCalls).isEqualTo(1);
    }

    @Test
    void maxAttemptsOneMeansNoRetry() {
        RetryPolicy policy = builder().maxAttempts(1).build();
        assertThat(decide(policy, first(Outcome.response(503)))).isEqualTo(stop(Category.UNAVAILABLE, StopReason.EXHAUSTED));
        assertThat(decide(policy, first(Outcome.response(200)))).isEqualTo(stop(Category.SUCCESS, StopReason.NONE));
    }

    @Test
    void aSuccessOnTheLastAttemptIsStillASuccess() {
        assertThat(decide(attempt(4, Outcome.response(200)))).isEqualTo(stop(Category.SUCCESS, StopReason.NONE));
        assertThat(decide(attempt(4, Outcome.response(404)))).isEqualTo(stop(Category.PERMANENT, StopReason.NOT_RETRYABLE));
    }

    // ---- deadline ----

    @Test
    void aWaitThatDoesNotEndBeforeTheDeadlineStops() {
        // backoff 500ms
        assertThat(decide(withTimeLeft(Duration.ofMillis(501), Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 500));
        assertThat(decide(withTimeLeft(Duration.ofMillis(500), Outcome.response(503))))
                .isEqualTo(stop(Category.UNAVAILABLE, StopReason.DEADLINE));
        assertThat(decide(withTimeLeft(Duration.ofMillis(100), Outcome.response(503))))
                .isEqualTo(stop(Category.UNAVAILABLE, StopReason.DEADLINE));
        assertThat(decide(withTimeLeft(Duration.ZERO, Outcome.response(503)))).isEqualTo(stop(Category.UNAVAILABLE, StopReason.DEADLINE));
        assertThat(decide(withTimeLeft(Duration.ofSeconds(-3), Outcome.response(503))))
                .isEqualTo(stop(Category.UNAVAILABLE, StopReason.DEADLINE));
        assertThat(budget.acquireCalls).isEqualTo(1);
    }

    @Test
    void aZeroWaitStillNeedsTimeLeft() {
        RetryPolicy policy = builder().initialDelay(Duration.ZERO).build();
        assertThat(decide(policy, withTimeLeft(Duration.ofNanos(1), Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 0));
        assertThat(decide(policy, withTimeLeft(Duration.ZERO, Outcome.response(503))))
                .isEqualTo(stop(Category.UNAVAILABLE, StopReason.DEADLINE));
    }

    @Test
    void theRefusedConnectionMinimumDelayCountsAgainstTheDeadline() {
        assertThat(decide(withTimeLeft(Duration.ofMillis(1999), Outcome.failure(new ConnectException()))))
                .isEqualTo(stop(Category.CONNECTION_REFUSED, StopReason.DEADLINE));
        assertThat(decide(withTimeLeft(Duration.ofMillis(2001), Outcome.failure(new ConnectException()))))
                .isEqualTo(retry(Category.CONNECTION_REFUSED, 2000));
    }

    @Test
    void aRetryAfterThatEndsPastTheDeadlineStopsAtOnce() {
        assertThat(decide(withTimeLeft(Duration.ofSeconds(15), Outcome.response(503, "20"))))
                .isEqualTo(stop(Category.UNAVAILABLE, StopReason.DEADLINE));
        assertThat(decide(withTimeLeft(Duration.ofSeconds(15), Outcome.response(503, "15"))))
                .isEqualTo(stop(Category.UNAVAILABLE, StopReason.DEADLINE));
        assertThat(decide(withTimeLeft(Duration.ofSeconds(15), Outcome.response(429, "Sun, 06 Nov 1994 08:49:37 GMT"))))
                .isEqualTo(stop(Category.RATE_LIMITED, StopReason.DEADLINE));
        assertThat(budget.acquireCalls).isZero();
    }

    // ---- Retry-After ----

    @Test
    void retryAfterLongerThanTheBackoffIsWaitedFor() {
        assertThat(decide(first(Outcome.response(503, "3")))).isEqualTo(retryAfter(Category.UNAVAILABLE, 3000));
        assertThat(decide(first(Outcome.response(429, "Sun, 06 Nov 1994 08:49:10 GMT"))))
                .isEqualTo(retryAfter(Category.RATE_LIMITED, 10_000));
    }

    @Test
    void retryAfterShorterThanTheBackoffKeepsTheBackoff() {
        assertThat(decide(first(Outcome.response(503, "0")))).isEqualTo(retry(Category.UNAVAILABLE, 500));
        // a date in the past is no wait at all, so the backoff stands
        assertThat(decide(first(Outcome.response(503, "Sun, 06 Nov 1994 08:00:00 GMT")))).isEqualTo(retry(Category.UNAVAILABLE, 500));
        assertThat(decide(attempt(3, Outcome.response(503, "1")))).isEqualTo(retry(Category.UNAVAILABLE, 2000));
    }

    @Test
    void retryAfterEqualToTheBackoffCountsAsRetryAfter() {
        RetryPolicy policy = builder().jitter(Jitter.NONE).build();
        assertThat(decide(policy, first(Outcome.response(503, "1")))).isEqualTo(retryAfter(Category.UNAVAILABLE, 1000));
        assertThat(decide(policy, first(Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 1000));
    }

    @Test
    void unusableRetryAfterIsIgnored() {
        assertThat(decide(first(Outcome.response(503, "soon")))).isEqualTo(retry(Category.UNAVAILABLE, 500));
        assertThat(decide(first(Outcome.response(503, "")))).isEqualTo(retry(Category.UNAVAILABLE, 500));
    }

    @Test
    void retryAfterAboveTheMaxWaitGivesUpAtOnce() {
        RetryPolicy policy = builder().deadline(Duration.ofMinutes(10)).build();
        Duration plenty = Duration.ofMinutes(10);
        assertThat(decide(policy, withTimeLeft(plenty, Outcome.response(503, "61"))))
                .isEqualTo(stop(Category.UNAVAILABLE, StopReason.RETRY_AFTER_TOO_LONG));
        assertThat(decide(policy, withTimeLeft(plenty, Outcome.response(503, "60")))).isEqualTo(retryAfter(Category.UNAVAILABLE, 60_000));
        assertThat(decide(policy, withTimeLeft(plenty, Outcome.response(429, "99999999999999999999"))))
                .isEqualTo(stop(Category.RATE_LIMITED, StopReason.RETRY_AFTER_TOO_LONG));
        assertThat(decide(policy, withTimeLeft(plenty, Outcome.response(429, "Sun, 06 Nov 1994 08:50:01 GMT"))))
                .isEqualTo(stop(Category.RATE_LIMITED, StopReason.RETRY_AFTER_TOO_LONG));
        // even with little time left, too long is reported as too long
        assertThat(decide(withTimeLeft(Duration.ofSeconds(1), Outcome.response(503, "120"))))
                .isEqualTo(stop(Category.UNAVAILABLE, StopReason.RETRY_AFTER_TOO_LONG));
        assertThat(budget.acquireCalls).isEqualTo(1);
    }

    @Test
    void retryAfterMaxWaitIsConfigurable() {
        RetryPolicy policy = builder().retryAfterMaxWait(Duration.ofSeconds(5)).build();
        assertThat(decide(policy, first(Outcome.response(503, "6")))).isEqualTo(stop(Category.UNAVAILABLE, StopReason.RETRY_AFTER_TOO_LONG));
        assertThat(decide(policy, first(Outcome.response(503, "5")))).isEqualTo(retryAfter(Category.UNAVAILABLE, 5000));
    }

    @Test
    void retryAfterIsIgnoredWhenDisabled() {
        RetryPolicy policy = builder().retryAfterEnabled(false).build();
        assertThat(decide(policy, first(Outcome.response(503, "3")))).isEqualTo(retry(Category.UNAVAILABLE, 500));
        assertThat(decide(policy, first(Outcome.response(429, "3600")))).isEqualTo(retry(Category.RATE_LIMITED, 500));
    }

    @Test
    void retryAfterDatesUseThePolicyClock() {
        RetryPolicy later = builder().clock(Clock.offset(CLOCK, Duration.ofSeconds(30))).build();
        // 37s after CLOCK is 7s after the later clock
        assertThat(decide(later, first(Outcome.response(503, "Sun, 06 Nov 1994 08:49:37 GMT"))))
                .isEqualTo(retryAfter(Category.UNAVAILABLE, 7000));
    }

    // ---- refused connections ----

    @Test
    void refusedConnectionMinimumDelayIsConfigurable() {
        RetryPolicy shortMinimum = builder().connectionRefusedMinDelay(Duration.ofMillis(100)).build();
        assertThat(decide(shortMinimum, first(Outcome.failure(new ConnectException())))).isEqualTo(retry(Category.CONNECTION_REFUSED, 500));
        RetryPolicy exact = builder().connectionRefusedMinDelay(Duration.ofMillis(500)).build();
        assertThat(decide(exact, first(Outcome.failure(new ConnectException())))).isEqualTo(retry(Category.CONNECTION_REFUSED, 500));
        RetryPolicy longer = builder().connectionRefusedMinDelay(Duration.ofMillis(501)).build();
        assertThat(decide(longer, first(Outcome.failure(new ConnectException())))).isEqualTo(retry(Category.CONNECTION_REFUSED, 501));
        // a longer backoff is kept
        assertThat(decide(attempt(3, Outcome.failure(new ConnectException())))).isEqualTo(retry(Category.CONNECTION_REFUSED, 2000));
        RetryPolicy threeSeconds = builder().connectionRefusedMinDelay(Duration.ofSeconds(3)).build();
        assertThat(decide(threeSeconds, attempt(3, Outcome.failure(new ConnectException()))))
                .isEqualTo(retry(Category.CONNECTION_REFUSED, 3000));
    }

    // ---- methods ----

    @Test
    void postAfterAResponseIsUnsafe() {
        assertThat(decide(withMethod("POST", false, Outcome.response(503)))).isEqualTo(stop(Category.UNAVAILABLE, StopReason.UNSAFE_METHOD));
        assertThat(decide(withMethod("POST", false, Outcome.response(429)))).isEqualTo(stop(Category.RATE_LIMITED, StopReason.UNSAFE_METHOD));
        assertThat(decide(withMethod("PATCH", false, Outcome.response(500)))).isEqualTo(stop(Category.SERVER_ERROR, StopReason.UNSAFE_METHOD));
        assertThat(decide(withMethod("post", false, Outcome.response(503)))).isEqualTo(stop(Category.UNAVAILABLE, StopReason.UNSAFE_METHOD));
        assertThat(budget.acquireCalls).isZero();
    }

    @Test
    void theMethodGuardAppliesToExceptionsThatMayHaveReachedTheServer() {
        assertThat(decide(withMethod("POST", false, Outcome.failure(new SocketTimeoutException()))))
                .isEqualTo(stop(Category.RESPONSE_TIMEOUT, StopReason.UNSAFE_METHOD));
        assertThat(decide(withMethod("POST", false, Outcome.failure(new SocketException("Connection reset")))))
                .isEqualTo(stop(Category.CONNECTION_RESET, StopReason.UNSAFE_METHOD));
        assertThat(decide(withMethod("PATCH", false, Outcome.failure(new IOException()))))
                .isEqualTo(stop(Category.IO_ERROR, StopReason.UNSAFE_METHOD));
    }

    @Test
    void postThatNeverLeftTheClientIsRetried() {
        assertThat(decide(withMethod("POST", false, Outcome.failure(new ConnectException()))))
                .isEqualTo(retry(Category.CONNECTION_REFUSED, 2000));
        assertThat(decide(withMethod("POST", false, Outcome.failure(new UnknownHostException()))))
                .isEqualTo(retry(Category.DNS_FAILURE, 500));
        RetryPolicy connectTimeouts = builder().exceptionClassifier(error -> Category.CONNECT_TIMEOUT).build();
        assertThat(decide(connectTimeouts, withMethod("POST", false, Outcome.failure(new RuntimeException()))))
                .isEqualTo(retry(Category.CONNECT_TIMEOUT, 500));
    }

    @Test
    void aRequestAConnectionClosedBeforeItWasWrittenIsSentAgainAtOnceWhateverItsMethod() {
        RetryPolicy closedBeforeSend = builder().exceptionClassifier(error -> Category.CONNECTION_CLOSED_BEFORE_SEND).build();
        Outcome closed = Outcome.failure(new RuntimeException("Connection has been closed BEFORE send operation"));
        assertThat(decide(closedBeforeSend, withMethod("POST", false, closed)))
                .isEqualTo(retry(Category.CONNECTION_CLOSED_BEFORE_SEND, 0));
        assertThat(decide(closedBeforeSend, attempt(3, closed))).isEqualTo(retry(Category.CONNECTION_CLOSED_BEFORE_SEND, 0));
        // the server has not seen the request: the budget is not drawn from, and an empty one does not stop it
        assertThat(budget.acquireCalls).isZero();
        assertThat(closedBeforeSend.decide(first(closed), new CountingBudget(false)))
                .isEqualTo(retry(Category.CONNECTION_CLOSED_BEFORE_SEND, 0));
        // max-attempts and the deadline still hold
        assertThat(decide(closedBeforeSend, attempt(4, closed))).isEqualTo(stop(Category.CONNECTION_CLOSED_BEFORE_SEND, StopReason.EXHAUSTED));
        assertThat(decide(closedBeforeSend, withTimeLeft(Duration.ZERO, closed)))
                .isEqualTo(stop(Category.CONNECTION_CLOSED_BEFORE_SEND, StopReason.DEADLINE));
    }

    @Test
    void postWithAnIdempotencyKeyIsRetried() {
        assertThat(decide(withMethod("POST", true, Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 500));
        assertThat(decide(withMethod("PATCH", true, Outcome.failure(new SocketTimeoutException()))))
                .isEqualTo(retry(Category.RESPONSE_TIMEOUT, 500));
    }

    @ParameterizedTest
    @ValueSource(strings = { "GET", "get", "Get", "HEAD", "OPTIONS", "PUT", "put", "DELETE", "TRACE" })
    void idempotentMethodsAreRetriedWhateverTheirCase(String method) {
        assertThat(decide(withMethod(method, false, Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 500));
    }

    @Test
    void configuredMethods() {
        RetryPolicy policy = builder().methods(Set.of("post", "GET")).build();
        assertThat(decide(policy, withMethod("POST", false, Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 500));
        assertThat(decide(policy, withMethod("PUT", false, Outcome.response(503)))).isEqualTo(stop(Category.UNAVAILABLE, StopReason.UNSAFE_METHOD));
        RetryPolicy none = builder().methods(Set.of()).build();
        assertThat(decide(none, withMethod("GET", false, Outcome.response(503)))).isEqualTo(stop(Category.UNAVAILABLE, StopReason.UNSAFE_METHOD));
        assertThat(decide(none, withMethod("GET", true, Outcome.response(503)))).isEqualTo(retry(Category.UNAVAILABLE, 500));
    }

    @Test
    void exhaustedIsReportedBeforeUnsafeMethod() {
        assertThat(decide(new Attempt(4, Outcome.response(503), "POST", false, TIME_LEFT, 0, null)))
                .isEqualTo(stop(Category.UNAVAILABLE, StopReason.EXHAUSTED));
        assertThat(decide(new Attempt(2, Outcome.response(500), "POST", false, TIME_LEFT, 1, null)))
                .isEqualTo(stop(Category.SERVER_ERROR, StopReason.EXHAUSTED));
        assertThat(decide(withMethod("POST", false, Outcome.response(404)))).isEqualTo(stop(Category.PERMANENT, StopReason.NOT_RETRYABLE));
    }

    @Test
    void unsafeMethodIsReportedBeforeRetryAfterTooLong() {
        assertThat(decide(withMethod("POST", false, Outcome.response(503, "3600"))))
                .isEqualTo(stop(Category.UNAVAILABLE, StopReason.UNSAFE_METHOD));
    }

    // ---- budget ----

    @Test
    void aBudgetThatRefusesStopsTheCall() {
        CountingBudget refusing = new CountingBudget(false);
        assertThat(POLICY.decide(first(Outcome.response(503)), refusing)).isEqualTo(stop(Category.UNAVAILABLE, StopReason.BUDGET));
        assertThat(POLICY.decide(first(Outcome.failure(new ConnectException())), refusing))
                .isEqualTo(stop(Category.CONNECTION_REFUSED, StopReason.BUDGET));
        assertThat(refusing.acquireCalls).isEqualTo(2);
        assertThat(refusing.firstAttempts).isZero();
    }

    @Test
    void theBudgetIsConsultedOnlyWhenTheDecisionWouldRetry() {
        CountingBudget refusing = new CountingBudget(false);
        // each of these stops for its own reason, not the budget, and takes nothing from it
        assertThat(POLICY.decide(first(Outcome.response(200)), refusing)).isEqualTo(stop(Category.SUCCESS, StopReason.NONE));
        assertThat(POLICY.decide(first(Outcome.response(404)), refusing)).isEqualTo(stop(Category.PERMANENT, StopReason.NOT_RETRYABLE));
        assertThat(POLICY.decide(attempt(4, Outcome.response(503)), refusing)).isEqualTo(stop(Category.UNAVAILABLE, StopReason.EXHAUSTED));
        assertThat(POLICY.decide(withTimeLeft(Duration.ZERO, Outcome.response(503)), refusing))
                .isEqualTo(stop(Category.UNAVAILABLE, StopReason.DEADLINE));
        assertThat(POLICY.decide(first(Outcome.response(503, "600")), refusing))
                .isEqualTo(stop(Category.UNAVAILABLE, StopReason.RETRY_AFTER_TOO_LONG));
        assertThat(POLICY.decide(withMethod("POST", false, Outcome.response(503)), refusing))
                .isEqualTo(stop(Category.UNAVAILABLE, StopReason.UNSAFE_METHOD));
        assertThat(refusing.acquireCalls).isZero();
    }

    @Test
    void aRetryTakesExactlyOneFromARealBudget() {
        MutableClock clock = MutableClock.atEpochMillis(1_000_000);
        RetryBudget real = RetryBudget.windowed(0, 1, clock); // a floor of 10 retries per window
        for (int i = 0; i < 10; i++) {
            assertThat(POLICY.decide(first(Outcome.response(503)), real)).isInstanceOf(RetryDecision.Retry.class);
            assertThat(real.available()).isEqualTo(9 - i);
        }
        assertThat(POLICY.decide(first(Outcome.response(503)), real)).isEqualTo(stop(Category.UNAVAILABLE, StopReason.BUDGET));
        assertThat(POLICY.decide(first(Outcome.response(404)), real)).isEqualTo(stop(Category.PERMANENT, StopReason.NOT_RETRYABLE));
    }

    @Test
    void defaultRandomSourceSpreadsTheDelays() {
        RetryPolicy policy = RetryPolicy.builder().clock(CLOCK).build();
        Set<Duration> delays = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            RetryDecision decision = policy.decide(first(Outcome.response(503)), RetryBudget.unlimited());
            Duration delay = ((RetryDecision.Retry) decision).delay();
            assertThat(delay).isBetween(Duration.ZERO, Duration.ofSeconds(1));
            delays.add(delay);
        }
        assertThat(delays).hasSizeGreaterThan(40);
    }
}
