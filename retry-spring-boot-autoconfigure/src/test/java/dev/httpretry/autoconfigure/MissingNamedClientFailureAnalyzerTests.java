package dev.httpretry.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

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
            FailureAnalysis analysis = analyzeAsBootDoes(context.getStartupFailure(), properties);
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
            FailureAnalysis analysis = analyzeAsBootDoes(context.getStartupFailure(), properties);
            assertThat(analysis.getAction()).contains("'http.retry.clients.payments.base-url'")
                .contains("http.retry.clients.payments sets other keys, but no base-url")
                .contains("(none is configured)");
        });
    }

    @Test
    void aRestClientInjectionPointIsExplainedTheSameWay() {
        this.runner.withUserConfiguration(PaymentsRestService.class).run((context) -> {
            FailureAnalysis analysis = analyzeAsBootDoes(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("RestClient qualified 'payments'")
                .contains("'http.retry.clients.payments.base-url' is not set");
        });
    }

    @Test
    void anotherMissingBeanIsLeftToBoot() {
        this.runner.withUserConfiguration(NeedsAString.class).run((context) -> {
            FailureAnalysis analysis = analyzeAsBootDoes(context.getStartupFailure());
            assertThat(analysis.getDescription()).doesNotContain("http.retry");
        });
    }

    @Test
    void aConfiguredClientIsNotBlamed() {
        String[] properties = { "http.retry.clients.payments.base-url=https://payments.example" };
        this.runner.withPropertyValues(properties).withUserConfiguration(PaymentsService.class)
            .run((context) -> assertThat(context).hasNotFailed());
    }

    /**
     * Analyzes a failure as Spring Boot does at start-up: every {@link FailureAnalyzer} registered
     * in {@code META-INF/spring.factories} (Boot's own among them), in their order, given the
     * environment and a bean factory; the first answer wins.
     */
    private static FailureAnalysis analyzeAsBootDoes(Throwable failure, String... properties) {
        MockEnvironment environment = new MockEnvironment();
        for (String property : properties) {
            String[] pair = property.split("=", 2);
            environment.setProperty(pair[0], pair[1]);
        }
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader
            .forDefaultResourceLocation(MissingNamedClientFailureAnalyzerTests.class.getClassLoader())
            .load(FailureAnalyzer.class,
                    ArgumentResolver.of(Environment.class, (Environment) environment)
                        .and(BeanFactory.class, new DefaultListableBeanFactory()),
                    FailureHandler.handleMessage((message, ex) -> {
                    }));
        assertThat(analyzers).anyMatch(MissingNamedClientFailureAnalyzer.class::isInstance);
        for (FailureAnalyzer analyzer : analyzers) {
            FailureAnalysis analysis = analyzer.analyze(failure);
            if (analysis != null) {
                return analysis;
            }
        }
        throw new AssertionError("No failure analyzer explains " + failure, failure);
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
