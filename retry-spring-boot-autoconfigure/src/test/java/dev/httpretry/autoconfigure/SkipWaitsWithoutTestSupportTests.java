package dev.httpretry.autoconfigure;

import dev.httpretry.client.RetryWaits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code http.retry.testing.skip-waits} takes effect only with the test artifact: without it, the
 * application's waits last as decided and start-up warns once, naming the key and the artifact.
 */
@ExtendWith(OutputCaptureExtension.class)
class SkipWaitsWithoutTestSupportTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(HttpRetryAutoConfiguration.class));

    @Test
    void skipWaitsWithoutTheTestArtifactIsIgnoredWithAWarning(CapturedOutput output) {
        this.runner.withPropertyValues("http.retry.testing.skip-waits=true").run((context) -> {
            RetryWaits waits = context.getBean(RetryWaits.class);
            assertThat(waits.skipsWaits()).isFalse();
            assertThat(waits.namesClients()).isFalse();
        });
        assertThat(output).containsOnlyOnce("http.retry.testing.skip-waits=true is ignored")
            .contains("dev.httpretry:retry-spring-boot-test");
    }

    @Test
    void noWarningWithoutTheProperty(CapturedOutput output) {
        this.runner.run((context) -> assertThat(context.getBean(RetryWaits.class).skipsWaits()).isFalse());
        assertThat(output).doesNotContain("skip-waits");
    }
}
