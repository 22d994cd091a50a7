package dev.httpretry.starter.failure;

import dev.httpretry.autoconfigure.InvalidRetryPropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A bad value stops a real app's start-up, and Boot prints the failure analysis (which shows that
 * our analyzer is registered in {@code META-INF/spring.factories}).
 */
@ExtendWith(OutputCaptureExtension.class)
class BadPropertyStartupTests {

    @Test
    void aValueOurChecksRejectIsExplainedByOurFailureAnalyzer(CapturedOutput output) {
        Throwable failure = catchThrowable(() -> start("--http.retry.clients.payments.max-attempts=0"));
        assertThat(chainHas(failure, InvalidRetryPropertyException.class)).as("cause chain of %s", failure).isTrue();
        assertThat(output.getOut() + output.getErr()).contains("APPLICATION FAILED TO START")
            .contains("Invalid value '0' for property 'http.retry.clients.payments.max-attempts': must be at least 1.")
            .contains("Update your application's configuration: give 'http.retry.clients.payments.max-attempts' "
                    + "a value that is allowed (must be at least 1).");
    }

    @Test
    void anUnknownJitterIsExplainedByBoot(CapturedOutput output) {
        Throwable failure = catchThrowable(() -> start("--http.retry.backoff.jitter=wobbly"));
        assertThat(chainHas(failure, BindException.class)).as("cause chain of %s", failure).isTrue();
        assertThat(output.getOut() + output.getErr()).contains("APPLICATION FAILED TO START")
            .contains("http.retry.backoff.jitter")
            .contains("\"wobbly\"");
    }

    private static void start(String... args) {
        new SpringApplicationBuilder(PlainApp.class).web(WebApplicationType.NONE).run(args).close();
    }

    private static boolean chainHas(Throwable error, Class<? extends Throwable> type) {
        for (Throwable link = error; link != null; link = link.getCause()) {
            if (type.isInstance(link)) {
                return true;
            }
        }
        return false;
    }
}
