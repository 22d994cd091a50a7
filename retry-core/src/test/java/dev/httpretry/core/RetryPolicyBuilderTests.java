package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyBuilderTests {

    private static InvalidSettingException invalid(ThrowingCallable call, String message) {
        InvalidSettingException[] thrown = new InvalidSettingException[1];
        assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(call).withMessage(message)
                .satisfies(ex -> thrown[0] = ex);
        return thrown[0];
    }

    // ---- each setting's bad values ----

    @Test
    void maxAttempts() {
        InvalidSettingException ex = invalid(() -> RetryPolicy.builder().maxAttempts(0), "Invalid max-attempts (0): must be at least 1");
        assertThat(ex.setting()).isEqualTo("max-attempts");
        assertThat(ex.value()).isEqualTo("0");
        assertThat(ex.requirement()).isEqualTo("must be at least 1");
        invalid(() -> RetryPolicy.builder().maxAttempts(-3), "Invalid max-attempts (-3): must be at least 1");
        invalid(() -> RetryPolicy.builder().maxAttempts(101), "Invalid max-attempts (101): must be at most 100");
        invalid(() -> RetryPolicy.builder().maxAttempts(Integer.MAX_VALUE), "Invalid max-attempts (2147483647): must be at most 100");
        assertThat(RetryPolicy.builder().maxAttempts(1).build().settings().maxAttempts()).isEqualTo(1);
        assertThat(RetryPolicy.builder().maxAttempts(100).build().settings().maxAttempts()).isEqualTo(100);
    }

    @Test
    void negativeDurations() {
        invalid(() -> RetryPolicy.builder().initialDelay(Duration.ofMillis(-1)),
                "Invalid backoff.initial-delay (-1ms): must be zero or positive");
        invalid(() -> RetryPolicy.builder().maxDelay(Duration.ofSeconds(-2)), "Invalid backoff.max-delay (-2s): must be zero or positive");
        invalid(() -> RetryPolicy.builder().retryAfterMaxWait(Duration.ofMinutes(-1)),
                "Invalid retry-after.max-wait (-1m): must be zero or positive");
        invalid(() -> RetryPolicy.builder().connectionRefusedMinDelay(Duration.ofNanos(-1)),
                "Invalid connection-refused-min-delay (-1ns): must be zero or positive");
        // zero is allowed for these
        RetryPolicy zeros = RetryPolicy.builder().initialDelay(Duration.ZERO).maxDelay(Duration.ZERO)
                .retryAfterMaxWait(Duration.ZERO).connectionRefusedMinDelay(Duration.ZERO).build();
        assertThat(zeros.settings().backoff().initialDelay()).isZero();
        assertThat(zeros.settings().backoff().maxDelay()).isZero();
        assertThat(zeros.settings().retryAfter().maxWait()).isZero();
        assertThat(zeros.settings().connectionRefusedMinDelay()).isZero();
    }

    @Test
    void timeoutsMustBePositive() {
        InvalidSettingException ex = invalid(() -> RetryPolicy.builder().attemptTimeout(Duration.ZERO),
                "Invalid attempt-timeout (0s): must be positive");
        assertThat(ex.setting()).isEqualTo("attempt-timeout");
        assertThat(ex.value()).isEqualTo("0s");
        assertThat(ex.requirement()).isEqualTo("must be positive");
        invalid(() -> RetryPolicy.builder().attemptTimeout(Duration.ofMillis(-250)), "Invalid attempt-timeout (-250ms): must be positive");
        invalid(() -> RetryPolicy.builder().deadline(Duration.ZERO), "Invalid deadline (0s): must be positive");
        invalid(() -> RetryPolicy.builder().deadline(Duration.ofSeconds(-1)), "Invalid deadline (-1s): must be positive");
        RetryPolicy tiny = RetryPolicy.builder().attemptTimeout(Duration.ofNanos(1)).deadline(Duration.ofNanos(1)).build();
        assertThat(tiny.settings().attemptTimeout()).isEqualTo(Duration.ofNanos(1));
        assertThat(tiny.settings().deadline()).isEqualTo(Duration.ofNanos(1));
    }

    @Test
    void attemptTimeoutLongerThanTheDeadlineIsAllowed() {
        RetryPolicy policy = RetryPolicy.builder().deadline(Duration.ofSeconds(1)).build();
        assertThat(policy.settings().deadline()).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.settings().attemptTimeout()).isEqualTo(Duration.ofSeconds(10));
        RetryPolicy explicit = RetryPolicy.builder().attemptTimeout(Duration.ofMinutes(5)).deadline(Duration.ofSeconds(2)).build();
        assertThat(explicit.settings().attemptTimeout()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void multiplier() {
        InvalidSettingException ex = invalid(() -> RetryPolicy.builder().multiplier(0.5),
                "Invalid backoff.multiplier (0.5): must be a finite number of at least 1.0");
        assertThat(ex.setting()).isEqualTo("backoff.multiplier");
        invalid(() -> RetryPolicy.builder().multiplier(0.9999999), "Invalid backoff.multiplier (0.9999999): must be a finite number of at least 1.0");
        invalid(() -> RetryPolicy.builder().multiplier(-2), "Invalid backoff.multiplier (-2.0): must be a finite number of at least 1.0");
        invalid(() -> RetryPolicy.builder().multiplier(Double.NaN), "Invalid backoff.multiplier (NaN): must be a finite number of at least 1.0");
        invalid(() -> RetryPolicy.builder().multiplier(Double.POSITIVE_INFINITY),
                "Invalid backoff.multiplier (Infinity): must be a finite number of at least 1.0");
        assertThat(RetryPolicy.builder().multiplier(1.0).build().settings().backoff().multiplier()).isEqualTo(1.0);
        assertThat(RetryPolicy.builder().multiplier(Double.MAX_VALUE).build().settings().backoff().multiplier()).isEqualTo(Double.MAX_VALUE);
    }

    @Test
    void maxDelayBelowInitialDelayFailsAtBuild() {
        RetryPolicyBuilder builder = RetryPolicy.builder().initialDelay(Duration.ofSeconds(1)).maxDelay(Duration.ofMillis(500));
        InvalidSettingException ex = invalid(builder::build,
                "Invalid backoff.max-delay (500ms): must be at least backoff.initial-delay (1s)");
        assertThat(ex.setting()).isEqualTo("backoff.max-delay");
        assertThat(ex.value()).isEqualTo("500ms");
        assertThat(ex.requirement()).isEqualTo("must be at least backoff.initial-delay (1s)");
        // either order of setting works once the values agree
        assertThat(builder.maxDelay(Duration.ofSeconds(1)).build().settings().backoff().maxDelay()).isEqualTo(Duration.ofSeconds(1));
        invalid(() -> RetryPolicy.builder().initialDelay(Duration.ofMinutes(1)).build(),
                "Invalid backoff.max-delay (30s): must be at least backoff.initial-delay (1m)");
    }

    @Test
    void statuses() {
        invalid(() -> RetryPolicy.builder().statuses(Set.of(404)), "Invalid statuses (404): 400, 401, 403 and 404 are never retried");
        invalid(() -> RetryPolicy.builder().statuses(Set.of(400)), "Invalid statuses (400): 400, 401, 403 and 404 are never retried");
        invalid(() -> RetryPolicy.builder().statuses(Set.of(401)), "Invalid statuses (401): 400, 401, 403 and 404 are never retried");
        invalid(() -> RetryPolicy.builder().statuses(Set.of(403)), "Invalid statuses (403): 400, 401, 403 and 404 are never retried");
        invalid(() -> RetryPolicy.builder().statuses(Set.of(500)),
                "Invalid statuses (500): 500 is retried as often as server-error-retries says, not through statuses");
        invalid(() -> RetryPolicy.builder().statuses(Set.of(200)), "Invalid statuses (200): must be a 4xx or 5xx status");
        invalid(() -> RetryPolicy.builder().statuses(Set.of(399)), "Invalid statuses (399): must be a 4xx or 5xx status");
        invalid(() -> RetryPolicy.builder().statuses(Set.of(600)), "Invalid statuses (600): must be a 4xx or 5xx status");
        invalid(() -> RetryPolicy.builder().statuses(Set.of(-503)), "Invalid statuses (-503): must be a 4xx or 5xx status");
        InvalidSettingException ex = invalid(() -> RetryPolicy.builder().statuses(Set.of(503, 404)),
                "Invalid statuses (404): 400, 401, 403 and 404 are never retried");
        assertThat(ex.setting()).isEqualTo("statuses");
        assertThat(ex.value()).isEqualTo("404");
        assertThat(RetryPolicy.builder().statuses(Set.of(599, 402, 408, 503)).build().settings().statuses()).containsExactly(402, 408, 503, 599);
        assertThat(RetryPolicy.builder().statuses(Set.of()).build().settings().statuses()).isEmpty();
        Set<Integer> withNull = new HashSet<>();
        withNull.add(null);
        assertThatNullPointerException().isThrownBy(() -> RetryPolicy.builder().statuses(withNull));
    }

    @Test
    void aRejectedStatusLeavesTheBuilderAsItWas() {
        RetryPolicyBuilder builder = RetryPolicy.builder().statuses(Set.of(408));
        invalid(() -> builder.statuses(Set.of(503, 404)), "Invalid statuses (404): 400, 401, 403 and 404 are never retried");
        assertThat(builder.build().settings().statuses()).containsExactly(408);
    }

    @Test
    void serverErrorRetries() {
        InvalidSettingException ex = invalid(() -> RetryPolicy.builder().serverErrorRetries(-1),
                "Invalid server-error-retries (-1): must be zero or positive");
        assertThat(ex.setting()).isEqualTo("server-error-retries");
        assertThat(RetryPolicy.builder().serverErrorRetries(0).build().settings().serverErrorRetries()).isZero();
        assertThat(RetryPolicy.builder().serverErrorRetries(7).build().settings().serverErrorRetries()).isEqualTo(7);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "GE T", " GET", "GET/", "G@T", "[GET]", "GET:", "{GET}", "G\u00c9T", "GET\n", "(GET)", "\"GET\"" })
    void methodsMustBeTokens(String method) {
        InvalidSettingException ex = invalid(() -> RetryPolicy.builder().methods(Set.of(method)),
                "Invalid methods (" + method + "): must be an HTTP method name such as GET or PUT");
        assertThat(ex.setting()).isEqualTo("methods");
        assertThat(ex.value()).isEqualTo(method);
        assertThat(ex.requirement()).isEqualTo("must be an HTTP method name such as GET or PUT");
    }

    @Test
    void methodsAreUpperCasedAndSorted() {
        assertThat(RetryPolicy.builder().methods(Set.of("patch", "Get", "M-SEARCH", "az09AZ!#$%&'*+-.^_`|~")).build().settings().methods())
                .containsExactly("AZ09AZ!#$%&'*+-.^_`|~", "GET", "M-SEARCH", "PATCH");
        assertThat(RetryPolicy.builder().methods(Set.of()).build().settings().methods()).isEmpty();
        Set<String> withNull = new HashSet<>();
        withNull.add(null);
        assertThatNullPointerException().isThrownBy(() -> RetryPolicy.builder().methods(withNull)).withMessage("method");
    }

    @Test
    void budgetRatio() {
        InvalidSettingException ex = invalid(() -> RetryPolicy.builder().budgetRatio(-1), "Invalid budget.ratio (-1.0): must be between 0 and 1000");
        assertThat(ex.setting()).isEqualTo("budget.ratio");
        assertThat(ex.value()).isEqualTo("-1.0");
        assertThat(ex.requirement()).isEqualTo("must be between 0 and 1000");
        invalid(() -> RetryPolicy.builder().budgetRatio(-0.001), "Invalid budget.ratio (-0.001): must be between 0 and 1000");
        invalid(() -> RetryPolicy.builder().budgetRatio(1000.5), "Invalid budget.ratio (1000.5): must be between 0 and 1000");
        invalid(() -> RetryPolicy.builder().budgetRatio(Double.NaN), "Invalid budget.ratio (NaN): must be between 0 and 1000");
        invalid(() -> RetryPolicy.builder().budgetRatio(Double.POSITIVE_INFINITY), "Invalid budget.ratio (Infinity): must be between 0 and 1000");
        assertThat(RetryPolicy.builder().budgetRatio(0).build().settings().budget().ratio()).isZero();
        assertThat(RetryPolicy.builder().budgetRatio(1000).build().settings().budget().ratio()).isEqualTo(1000);
    }

    @Test
    void budgetMinRetriesPerSecond() {
        InvalidSettingException ex = invalid(() -> RetryPolicy.builder().budgetMinRetriesPerSecond(-1),
                "Invalid budget.min-retries-per-second (-1): must be zero or positive");
        assertThat(ex.setting()).isEqualTo("budget.min-retries-per-second");
        assertThat(RetryPolicy.builder().budgetMinRetriesPerSecond(0).build().settings().budget().minRetriesPerSecond()).isZero();
    }

    @Test
    void nullsAreRejected() {
        RetryPolicyBuilder builder = RetryPolicy.builder();
        assertThatNullPointerException().isThrownBy(() -> builder.jitter(null)).withMessage("jitter");
        assertThatNullPointerException().isThrownBy(() -> builder.exceptionClassifier(null)).withMessage("classifier");
        assertThatNullPointerException().isThrownBy(() -> builder.random(null)).withMessage("random");
        assertThatNullPointerException().isThrownBy(() -> builder.clock(null)).withMessage("clock");
        assertThatNullPointerException().isThrownBy(() -> builder.initialDelay(null)).withMessage("backoff.initial-delay");
        assertThatNullPointerException().isThrownBy(() -> builder.deadline(null)).withMessage("deadline");
        // the builder still builds its defaults
        assertThat(builder.build().settings().backoff().jitter()).isEqualTo(Jitter.FULL);
    }

    @Test
    void invalidSettingExceptionParts() {
        InvalidSettingException ex = new InvalidSettingException("backoff.jitter", "random", "must be none, full, equal or decorrelated");
        assertThat(ex).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid backoff.jitter (random): must be none, full, equal or decorrelated");
        assertThat(ex.setting()).isEqualTo("backoff.jitter");
        assertThat(ex.value()).isEqualTo("random");
        assertThat(ex.requirement()).isEqualTo("must be none, full, equal or decorrelated");
        assertThatNullPointerException().isThrownBy(() -> new InvalidSettingException(null, "v", "r")).withMessage("setting");
        assertThatNullPointerException().isThrownBy(() -> new InvalidSettingException("s", null, "r")).withMessage("value");
        assertThatNullPointerException().isThrownBy(() -> new InvalidSettingException("s", "v", null)).withMessage("requirement");
    }

    // ---- defaults (CONTRACT.md's property table) ----

    @Test
    void defaultsMatchTheContract() {
        RetryPolicy policy = RetryPolicy.defaults();
        assertThat(policy.settings().maxAttempts()).isEqualTo(4);
        assertThat(policy.settings().backoff()).isEqualTo(new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30), Jitter.FULL));
        assertThat(policy.settings().attemptTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.settings().deadline()).isEqualTo(Duration.ofSeconds(15));
        assertThat(policy.settings().retryAfter().enabled()).isTrue();
        assertThat(policy.settings().retryAfter().maxWait()).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.settings().statuses()).containsExactly(429, 502, 503, 504);
        assertThat(policy.settings().serverErrorRetries()).isEqualTo(1);
        assertThat(policy.settings().connectionRefusedMinDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.settings().methods()).containsExactly("DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE");
        assertThat(policy.settings().budget().enabled()).isTrue();
        assertThat(policy.settings().budget().ratio()).isEqualTo(0.1);
        assertThat(policy.settings().budget().minRetriesPerSecond()).isEqualTo(10);
        assertThat(RetryPolicy.builder().build().toString()).isEqualTo(policy.toString());
    }

    @Test
    void defaultBudgetIsWindowedWithTheFloor() {
        MutableClock clock = MutableClock.atEpochMillis(0);
        RetryBudget budget = RetryPolicy.defaults().newBudget(clock);
        assertThat(budget).isInstanceOf(WindowedRetryBudget.class);
        // 10 per second over the 10 second window
        assertThat(budget.available()).isEqualTo(100);
        for (int i = 0; i < 10; i++) {
            budget.recordFirstAttempt();
        }
        assertThat(budget.available()).isEqualTo(101);
    }

    @Test
    void budgetSettingsReachTheBudget() {
        RetryBudget budget = RetryPolicy.builder().budgetRatio(0.5).budgetMinRetriesPerSecond(2).build()
                .newBudget(MutableClock.atEpochMillis(0));
        assertThat(budget.available()).isEqualTo(20);
        budget.recordFirstAttempt();
        budget.recordFirstAttempt();
        assertThat(budget.available()).isEqualTo(21);
    }

    @Test
    void disabledBudgetIsUnlimited() {
        RetryPolicy policy = RetryPolicy.builder().budgetEnabled(false).build();
        assertThat(policy.settings().budget().enabled()).isFalse();
        assertThat(policy.newBudget(Clock.systemUTC())).isSameAs(RetryBudget.unlimited());
    }

    /** {@code budget.window}: how long first attempts and retries count in the budget. */
    @Test
    void theBudgetWindowIsHowLongAttemptsCount() {
        MutableClock clock = MutableClock.atEpochMillis(0);
        RetryBudget budget = RetryPolicy.builder().budgetRatio(0).budgetMinRetriesPerSecond(1).budgetWindow(Duration.ofSeconds(3))
            .build().newBudget(clock);
        // the floor: 1 retry per second over a 3-second window
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isFalse();
        clock.advance(Duration.ofMillis(3_100));
        assertThat(budget.tryAcquireRetry()).as("the retries left the window").isTrue();
        assertThat(RetryPolicy.defaults().settings().budget().window()).isEqualTo(Duration.ofSeconds(10));
        assertThat(RetryPolicy.builder().budgetWindow(Duration.ofMinutes(5)).build().settings().describe().get("budget"))
            .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("window", "5m");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "PT0.999S", "PT1H0.001S", "PT0S" })
    void aBudgetWindowOutside1sTo1hIsRefused(String window) {
        assertThatThrownBy(() -> RetryPolicy.builder().budgetWindow(Duration.parse(window)))
            .isInstanceOfSatisfying(InvalidSettingException.class, (ex) -> {
                assertThat(ex.setting()).isEqualTo("budget.window");
                assertThat(ex.requirement()).isEqualTo("must be between 1s and 1h");
            });
    }

    @Test
    void toStringNamesEverySetting() {
        assertThat(RetryPolicy.defaults().toString()).isEqualTo("RetryPolicy[RetrySettings[maxAttempts=4, backoff=Backoff[initialDelay=PT1S, "
                + "multiplier=2.0, maxDelay=PT30S, jitter=FULL], attemptTimeout=PT10S, deadline=PT15S, "
                + "retryAfter=RetryAfterSettings[enabled=true, maxWait=PT1M, rateLimitHeaders=true], statuses=[429, 502, 503, 504], "
                + "serverErrorRetries=1, connectionRefusedMinDelay=PT2S, methods=[DELETE, GET, HEAD, OPTIONS, PUT, TRACE], "
                + "budget=BudgetSettings[enabled=true, ratio=0.1, minRetriesPerSecond=10, maxDestinations=1000, window=PT10S], "
                + "bodyReplayLimit=1048576, attemptHeader=, hedging=HedgingSettings[enabled=false, delay=PT1S, maxHedges=1, autoDelay=false, "
                + "minDelay=PT0.01S], adaptive=false]]");
    }

    // ---- build() copies; toBuilder round-trips ----

    @Test
    void theSetsReturnedAreUnmodifiable() {
        RetryPolicy policy = RetryPolicy.defaults();
        assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> policy.settings().statuses().add(408));
        assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> policy.settings().methods().add("POST"));
        assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> policy.settings().statuses().clear());
        assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> policy.settings().methods().remove("GET"));
    }

    @Test
    void mutatingTheBuilderOrItsInputsAfterBuildDoesNotChangeThePolicy() {
        Set<Integer> statuses = new HashSet<>(Set.of(503));
        Set<String> methods = new HashSet<>(Set.of("GET"));
        RetryPolicyBuilder builder = RetryPolicy.builder().statuses(statuses).methods(methods).maxAttempts(3);
        RetryPolicy policy = builder.build();
        statuses.add(429);
        methods.add("POST");
        builder.maxAttempts(7).jitter(Jitter.NONE).statuses(Set.of(408));
        assertThat(policy.settings().statuses()).containsExactly(503);
        assertThat(policy.settings().methods()).containsExactly("GET");
        assertThat(policy.settings().maxAttempts()).isEqualTo(3);
        assertThat(policy.settings().backoff().jitter()).isEqualTo(Jitter.FULL);
        // and the builder is a reusable template
        RetryPolicy second = builder.build();
        assertThat(second.settings().maxAttempts()).isEqualTo(7);
        assertThat(second.settings().statuses()).containsExactly(408);
        assertThat(policy.settings().maxAttempts()).isEqualTo(3);
    }

    @Test
    void toBuilderRoundTripsEverySetting() {
        Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
        ExceptionClassifier classifier = error -> error instanceof ConnectException ? Category.CONNECT_TIMEOUT : null;
        RetryPolicy original = RetryPolicy.builder()
                .maxAttempts(7)
                .initialDelay(Duration.ofMillis(250))
                .multiplier(1.5)
                .maxDelay(Duration.ofSeconds(5))
                .jitter(Jitter.EQUAL)
                .attemptTimeout(Duration.ofSeconds(3))
                .deadline(Duration.ofSeconds(20))
                .retryAfterEnabled(false)
                .retryAfterMaxWait(Duration.ofSeconds(9))
                .statuses(Set.of(408, 503))
                .serverErrorRetries(3)
                .connectionRefusedMinDelay(Duration.ofMillis(750))
                .methods(Set.of("GET", "POST"))
                .budgetEnabled(false)
                .budgetRatio(0.25)
                .budgetMinRetriesPerSecond(4)
                .exceptionClassifier(classifier)
                .random(() -> 0.25)
                .clock(clock)
                .build();
        RetryPolicy copy = original.toBuilder().build();
        assertThat(copy).isNotSameAs(original);
        assertThat(copy.toString()).isEqualTo(original.toString());
        assertThat(copy.settings().maxAttempts()).isEqualTo(7);
        assertThat(copy.settings().backoff()).isEqualTo(new Backoff(Duration.ofMillis(250), 1.5, Duration.ofSeconds(5), Jitter.EQUAL));
        assertThat(copy.settings().attemptTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(copy.settings().deadline()).isEqualTo(Duration.ofSeconds(20));
        assertThat(copy.settings().retryAfter().enabled()).isFalse();
        assertThat(copy.settings().retryAfter().maxWait()).isEqualTo(Duration.ofSeconds(9));
        assertThat(copy.settings().statuses()).containsExactly(408, 503);
        assertThat(copy.settings().serverErrorRetries()).isEqualTo(3);
        assertThat(copy.settings().connectionRefusedMinDelay()).isEqualTo(Duration.ofMillis(750));
        assertThat(copy.settings().methods()).containsExactly("GET", "POST");
        assertThat(copy.settings().budget().enabled()).isFalse();
        assertThat(copy.settings().budget().ratio()).isEqualTo(0.25);
        assertThat(copy.settings().budget().minRetriesPerSecond()).isEqualTo(4);
        // the classifier, random source and clock travel too
        assertThat(copy.classify(Outcome.failure(new ConnectException()))).isEqualTo(Category.CONNECT_TIMEOUT);
        // EQUAL at 0.25 on 250ms: 125 + 31.25 = 156.25ms; a connect timeout is not held to the refused minimum
        assertThat(copy.decide(Attempt.first(Outcome.failure(new ConnectException()), "POST", false, Duration.ofSeconds(20)),
                RetryBudget.unlimited()))
                .isEqualTo(new RetryDecision.Retry(Category.CONNECT_TIMEOUT, Duration.ofNanos(156_250_000), DelaySource.BACKOFF));
        RetryPolicy withRetryAfter = original.toBuilder().retryAfterEnabled(true).build();
        assertThat(withRetryAfter.decide(Attempt.first(Outcome.response(503, "Tue, 01 Jan 2030 00:00:08 GMT"), "GET", false,
                Duration.ofSeconds(20)), RetryBudget.unlimited()))
                .isEqualTo(new RetryDecision.Retry(Category.UNAVAILABLE, Duration.ofSeconds(8), DelaySource.RETRY_AFTER));
        // changing the copy's builder leaves the original alone
        RetryPolicy changed = original.toBuilder().maxAttempts(2).statuses(Set.of(429)).build();
        assertThat(changed.settings().maxAttempts()).isEqualTo(2);
        assertThat(original.settings().maxAttempts()).isEqualTo(7);
        assertThat(original.settings().statuses()).containsExactly(408, 503);
    }

    @Test
    void toBuilderOfTheDefaultsBuildsTheDefaults() {
        assertThat(RetryPolicy.defaults().toBuilder().build().toString()).isEqualTo(RetryPolicy.defaults().toString());
        assertThat(List.of(RetrySettings.DEFAULT_STATUSES.size(), RetrySettings.DEFAULT_METHODS.size())).containsExactly(4, 6);
    }
}
