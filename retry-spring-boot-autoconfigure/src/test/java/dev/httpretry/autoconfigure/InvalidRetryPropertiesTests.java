package dev.httpretry.autoconfigure;

import java.time.Duration;
import java.util.List;

import dev.httpretry.core.ExceptionClassifier;
import dev.httpretry.core.InvalidSettingException;
import dev.httpretry.core.RetryClients;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;

import static dev.httpretry.testing.FailureAnalyses.analyzeAsBootDoes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bad value under {@code http.retry} stops start-up, and the failure analysis names the full key,
 * the value and what is allowed.
 */
@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
class InvalidRetryPropertiesTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WebClientAutoConfiguration.class, HttpRetryAutoConfiguration.class, HttpRetryWebClientAutoConfiguration.class));

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            # properties (';' between several)                       | full key named                            | value   | what is allowed
            http.retry.max-attempts=0                                 | http.retry.max-attempts                   | 0       | must be at least 1
            http.retry.max-attempts=101                               | http.retry.max-attempts                   | 101     | must be at most 100
            http.retry.clients.payments.max-attempts=0                | http.retry.clients.payments.max-attempts  | 0       | must be at least 1
            http.retry.backoff.initial-delay=-1s                      | http.retry.backoff.initial-delay          | -1s     | must be zero or positive
            http.retry.clients.payments.backoff.initial-delay=-250ms  | http.retry.clients.payments.backoff.initial-delay | -250ms | must be zero or positive
            http.retry.deadline=-5s                                   | http.retry.deadline                       | -5s     | must be positive
            http.retry.attempt-timeout=0s                             | http.retry.attempt-timeout                | 0s      | must be positive
            http.retry.retry-after.max-wait=-1s                       | http.retry.retry-after.max-wait           | -1s     | must be zero or positive
            http.retry.connection-refused-min-delay=-1ms              | http.retry.connection-refused-min-delay   | -1ms    | must be zero or positive
            http.retry.backoff.multiplier=0.5                         | http.retry.backoff.multiplier             | 0.5     | must be a finite number of at least 1.0
            http.retry.backoff.initial-delay=10s;http.retry.backoff.max-delay=5s | http.retry.backoff.max-delay   | 5s      | must be at least backoff.initial-delay (10s)
            http.retry.clients.payments.backoff.max-delay=500ms       | http.retry.clients.payments.backoff.max-delay | 500ms | must be at least backoff.initial-delay (1s)
            http.retry.clients.payments.backoff.initial-delay=40s     | http.retry.clients.payments.backoff.initial-delay | 40s | must be at most backoff.max-delay (30s)
            "http.retry.statuses=429,404"                             | http.retry.statuses                       | 404     | 400, 401, 403 and 404 are never retried
            "http.retry.statuses=500,503"                             | http.retry.statuses                       | 500     | 500 is retried as often as server-error-retries says, not through statuses
            "http.retry.statuses=302"                                 | http.retry.statuses                       | 302     | must be a 4xx or 5xx status
            "http.retry.methods=GET,GE T"                             | http.retry.methods                        | GE T    | must be an HTTP method name such as GET or PUT
            http.retry.budget.ratio=-1                                | http.retry.budget.ratio                   | -1.0    | must be between 0 and 1000
            http.retry.budget.min-retries-per-second=-1               | http.retry.budget.min-retries-per-second  | -1      | must be zero or positive
            http.retry.server-error-retries=-1                        | http.retry.server-error-retries           | -1      | must be zero or positive
            http.retry.hedging.delay=0s                               | http.retry.hedging.delay                  | 0s      | must be positive
            http.retry.clients.search.hedging.delay=-10ms             | http.retry.clients.search.hedging.delay   | -10ms   | must be positive
            http.retry.hedging.max-hedges=-1                          | http.retry.hedging.max-hedges             | -1      | must be between 0 and 99
            http.retry.hedging.max-hedges=100                         | http.retry.hedging.max-hedges             | 100     | must be between 0 and 99
            http.retry.clients.payments.budget.window=500ms           | http.retry.clients.payments.budget.window | 500ms   | must be between 1s and 1h
            http.retry.clients.default.max-attempts=2                 | http.retry.clients.default                | default | must not be 'default', the name of the top-level policy
            http.retry.clients.payments.base-url=payments.internal:8080 | http.retry.clients.payments.base-url    | payments.internal:8080 | must be an absolute http or https URL, such as https://payments.internal.example
            http.retry.clients.payments.base-url=ftp://x               | http.retry.clients.payments.base-url     | ftp://x | must be an absolute http or https URL, such as https://payments.internal.example
            http.retry.clients.payments.base-url=not a url             | http.retry.clients.payments.base-url     | not a url | must be a valid URL (Illegal character in path)
            http.retry.clients.payments.base-url=http:///orders        | http.retry.clients.payments.base-url     | http:///orders | must name a host, such as https://payments.internal.example
            http.retry.enabled=false;http.retry.clients.payments.base-url=ftp://x | http.retry.clients.payments.base-url | ftp://x | must be an absolute http or https URL, such as https://payments.internal.example
            """)
    void aBadValueStopsStartUpNamingTheKeyTheValueAndWhatIsAllowed(String properties, String key, String value,
            String requirement) {
        this.runner.withPropertyValues(properties.split(";")).run((context) -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            InvalidRetryPropertyException invalid = find(failure, InvalidRetryPropertyException.class);
            assertThat(invalid.getProperty()).isEqualTo(key);
            assertThat(invalid.getValue()).isEqualTo(value);
            assertThat(invalid.getRequirement()).isEqualTo(requirement);
            assertThat(invalid).hasMessage("Invalid " + key + " (" + value + "): " + requirement);

            FailureAnalysis analysis = new InvalidRetryPropertyFailureAnalyzer().analyze(failure);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription())
                .isEqualTo("Invalid value '" + value + "' for property '" + key + "': " + requirement + ".");
            assertThat(analysis.getAction()).isEqualTo("Update your application's configuration: give '" + key
                    + "' a value that is allowed (" + requirement + ").");
            assertThat(analysis.getCause()).isSameAs(invalid);
        });
    }

    @Test
    void aBadValueIsAnInvalidRetryPropertyExceptionCausedByTheCoresCheck() {
        this.runner.withPropertyValues("http.retry.max-attempts=0").run((context) -> {
            Throwable failure = context.getStartupFailure();
            InvalidRetryPropertyException invalid = find(failure, InvalidRetryPropertyException.class);
            // the core's own exception stays attached as the cause, so it is the root of the chain
            assertThat(invalid.getCause()).isInstanceOf(InvalidSettingException.class)
                .hasMessage("Invalid max-attempts (0): must be at least 1");
            assertThat(ExceptionClassifier.rootCause(failure)).isSameAs(invalid.getCause());
        });
    }

    @Test
    void theFailureAnalyzerIsRegisteredAndExplainsTheFailureAsBootWould() {
        this.runner.withPropertyValues("http.retry.clients.payments.max-attempts=0").run((context) -> {
            FailureAnalysis analysis = analyzeAsBootDoes(context.getStartupFailure(), InvalidRetryPropertyFailureAnalyzer.class);
            assertThat(analysis.getDescription()).isEqualTo(
                    "Invalid value '0' for property 'http.retry.clients.payments.max-attempts': must be at least 1.");
            assertThat(analysis.getAction()).isEqualTo("Update your application's configuration: give "
                    + "'http.retry.clients.payments.max-attempts' a value that is allowed (must be at least 1).");
        });
    }

    @Test
    void anUnknownJitterFailsInBootsBinderWithBootsOwnMessage() {
        this.runner.withPropertyValues("http.retry.backoff.jitter=wobbly").run((context) -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            BindException bind = find(failure, BindException.class);
            assertThat(bind.getName()).hasToString("http.retry.backoff.jitter");
            assertThat(bind.getProperty().getValue()).isEqualTo("wobbly");

            FailureAnalysis analysis = analyzeAsBootDoes(failure, InvalidRetryPropertyFailureAnalyzer.class);
            assertThat(analysis.getDescription()).contains("http.retry.backoff.jitter").contains("wobbly");
            assertThat(analysis.getAction()).contains("NONE", "FULL", "EQUAL", "DECORRELATED");
        });
    }

    @Test
    void anUnknownJitterUnderAClientNamesTheClientsKey() {
        this.runner.withPropertyValues("http.retry.clients.payments.backoff.jitter=wobbly").run((context) -> {
            FailureAnalysis analysis = analyzeAsBootDoes(context.getStartupFailure(), InvalidRetryPropertyFailureAnalyzer.class);
            assertThat(analysis.getDescription()).contains("http.retry.clients.payments.backoff.jitter")
                .contains("wobbly");
        });
    }

    @Test
    void jitterNamesBindInAnyCase() {
        this.runner.withPropertyValues("http.retry.backoff.jitter=Decorrelated").run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(RetryClients.class).get("default").policy().settings().backoff().jitter().configName())
                .isEqualTo("decorrelated");
        });
    }

    @Test
    void anAttemptTimeoutLongerThanTheDeadlineIsNotAnError() {
        this.runner.withPropertyValues("http.retry.deadline=1s").run((context) -> {
            assertThat(context).hasNotFailed();
            var policy = context.getBean(RetryClients.class).get("default").policy();
            assertThat(policy.settings().deadline()).isEqualTo(Duration.ofSeconds(1));
            assertThat(policy.settings().attemptTimeout()).isEqualTo(Duration.ofSeconds(10));
        });
    }

    @Test
    void aClientsAttemptTimeoutLongerThanItsDeadlineIsNotAnError() {
        this.runner
            .withPropertyValues("http.retry.clients.payments.deadline=1s", "http.retry.clients.payments.attempt-timeout=5s")
            .run((context) -> assertThat(context).hasNotFailed());
    }

    /**
     * A deadline or attempt timeout under 100 ms is valid but most likely a number without its unit
     * (read as milliseconds): one warning per key, naming it and the likely meaning.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            http.retry.deadline=10                            | http.retry.deadline                         | 10ms | 10s
            http.retry.attempt-timeout=50ms                   | http.retry.attempt-timeout                  | 50ms | 50s
            http.retry.clients.payments.deadline=2            | http.retry.clients.payments.deadline        | 2ms  | 2s
            http.retry.clients.payments.attempt-timeout=99ms  | http.retry.clients.payments.attempt-timeout | 99ms | 99s
            """)
    void aTinyDeadlineOrAttemptTimeoutGetsOneWarning(String property, String key, String value, String meant,
            org.springframework.boot.test.system.CapturedOutput output) {
        this.runner.withPropertyValues(property).run((context) -> assertThat(context).hasNotFailed());
        String warning = "Property '" + key + "' is " + value + ", so every call fails unless it ends within " + value
                + ". A number without a unit is read as milliseconds: did you mean " + meant + "?";
        assertThat(output.getOut()).contains(warning);
        assertThat(output.getOut().split(java.util.regex.Pattern.quote(warning), -1)).as("warned once").hasSize(2);
    }

    @Test
    void aDeadlineOf100msOrMoreGetsNoWarning(org.springframework.boot.test.system.CapturedOutput output) {
        this.runner.withPropertyValues("http.retry.deadline=100ms", "http.retry.attempt-timeout=2s")
            .run((context) -> assertThat(context).hasNotFailed());
        assertThat(output.getOut()).doesNotContain("did you mean");
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        List<Throwable> chain = ExceptionClassifier.causeChain(failure);
        return chain.stream()
            .filter(type::isInstance)
            .map(type::cast)
            .findFirst()
            .orElseThrow(() -> new AssertionError("No " + type.getSimpleName() + " in " + chain, failure));
    }
}
