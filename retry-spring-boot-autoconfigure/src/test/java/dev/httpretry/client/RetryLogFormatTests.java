package dev.httpretry.client;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How the decision log writes a delay and a URI. */
class RetryLogFormatTests {

    @Test
    void aJitteredDelayIsShownInMillisecondsToATenthAWholeOneAsConfigured() {
        assertThat(RetryLog.delay(Duration.ofNanos(11_294_794))).isEqualTo("11.3ms");
        assertThat(RetryLog.delay(Duration.ofNanos(1_500_000_001))).isEqualTo("1500.0ms");
        assertThat(RetryLog.delay(Duration.ofMillis(50))).isEqualTo("50ms");
        assertThat(RetryLog.delay(Duration.ofSeconds(1))).isEqualTo("1s");
        assertThat(RetryLog.delay(Duration.ZERO)).isEqualTo("0s");
    }

    @Test
    void theUriKeepsNoQueryStringUserInfoOrFragment() {
        assertThat(RetryLog.withoutQuery(URI.create("https://user:secret@api.example:8443/a/b?token=x#frag")))
            .isEqualTo("https://api.example:8443/a/b");
        assertThat(RetryLog.withoutQuery(URI.create("http://api.example"))).isEqualTo("http://api.example/");
        assertThat(RetryLog.withoutQuery(URI.create("http://api.example/%20x?q"))).isEqualTo("http://api.example/%20x");
    }
}
