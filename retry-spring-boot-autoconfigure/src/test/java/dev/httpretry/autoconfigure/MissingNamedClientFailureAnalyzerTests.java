package dev.httpretry.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static dev.httpretry.testing.FailureAnalyses.analyzeAsBootDoes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code @Qualifier("<name>")} client injected without {@code http.retry.clients.<name>.base-url}:
 * the context fails, and the analysis (as Boot runs it, every registered analyzer in order) names
 * the missing key instead of Boot's generic "required a bean of type 'WebClient'".
 */
class MissingNamedClientFailureAnalyzerTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WebClientAutoConfiguration.class, HttpRetryAutoConfiguration.class, HttpRetryWebClientAutoConfiguration.class));

    @Test
    void anUnconfiguredClientNamesTheMissingKey() {
        String[] properties = { "http.retry.clients.orders.base-url=https://orders.example" };
        this.runner.withPropertyValues(properties).withUserConfiguration(PaymentsService.class).run((context) -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = analyzeAsBootDoes(context.getStartupFailure(),
                    MissingNamedClientFailureAnalyzer.class, properties);
            assertThat(analysis.getDescription()).isEqualTo("Parameter 0 of constructor in " + PaymentsService.class.getName()
                    + " required a WebClient qualified 'payments', but 'http.retry.clients.payments.base-url' is not set,"
                    + " so http-retry registered no such client.");
            assertThat(analysis.getAction()).isEqualTo("Set 'http.retry.clients.payments.base-url' (an absolute http or"
                    + " https URL) in your application's configuration, or change the qualifier to the name of a"
                    + " configured client: orders.");
        });
    }

    @Test
    void aClientWithoutBaseUrlSaysSo() {
        String[] properties = { "http.retry.clients.payments.max-attempts=3" };
        this.runner.withPropertyValues(properties).withUserConfiguration(PaymentsService.class).run((context) -> {
            FailureAnalysis analysis = analyzeAsBootDoes(context.getStartupFailure(),
                    MissingNamedClientFailureAnalyzer.class, properties);
            assertThat(analysis.getAction()).contains("'http.retry.clients.payments.base-url'")
                .contains("http.retry.clients.payments sets other keys, but no base-url")
                .contains("(none is configured)");
        });
    }

    @Test
    void aRestClientInjectionPointIsExplainedTheSameWay() {
        this.runner.withUserConfiguration(PaymentsRestService.class).run((context) -> {
            FailureAnalysis analysis = analyzeAsBootDoes(context.getStartupFailure(), MissingNamedClientFailureAnalyzer.class);
            assertThat(analysis.getDescription()).contains("RestClient qualified 'payments'")
                .contains("'http.retry.clients.payments.base-url' is not set");
        });
    }

    @Test
    void anotherMissingBeanIsLeftToBoot() {
        this.runner.withUserConfiguration(NeedsAString.class).run((context) -> {
            FailureAnalysis analysis = analyzeAsBootDoes(context.getStartupFailure(), MissingNamedClientFailureAnalyzer.class);
            assertThat(analysis.getDescription()).doesNotContain("http.retry");
        });
    }

    @Test
    void aConfiguredClientIsNotBlamed() {
        String[] properties = { "http.retry.clients.payments.base-url=https://payments.example" };
        this.runner.withPropertyValues(properties).withUserConfiguration(PaymentsService.class)
            .run((context) -> assertThat(context).hasNotFailed());
    }

    static class PaymentsService {

        PaymentsService(@Qualifier("payments") WebClient payments) {
        }
    }

    static class PaymentsRestService {

        PaymentsRestService(@Qualifier("payments") RestClient payments) {
        }
    }

    static class NeedsAString {

        NeedsAString(@Qualifier("greeting") String greeting) {
        }
    }
}
