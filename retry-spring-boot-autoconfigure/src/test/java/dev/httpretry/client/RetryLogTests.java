package dev.httpretry.client;

import java.io.IOException;
import java.time.Duration;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static dev.httpretry.testing.Ports.closedPort;
import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The DEBUG lines that say why a call was or was not retried, read from the console as a user
 * sees them, against a real server.
 */
@ExtendWith(OutputCaptureExtension.class)
class RetryLogTests {

    private static final String LOGGER = "dev.httpretry.decisions";

    private final Logger logger = (Logger) LoggerFactory.getLogger(LOGGER);

    private final Level level = this.logger.getLevel();

    private final TestServer server = new TestServer();

    @AfterEach
    void restore() {
        this.logger.setLevel(this.level);
        this.server.close();
    }

    @Test
    void eachAttemptWaitAndTheEndAreOneLineWithoutTheQueryString(CapturedOutput output) {
        this.logger.setLevel(Level.DEBUG);
        this.server.then(status(503), status(502)).otherwise(status(200).body("ok"));
        Harness harness = Harness.of(Harness.fastPolicy().initialDelay(Duration.ofMillis(2)).maxDelay(Duration.ofMillis(2)));

        String body = harness.client(this.server.url()).get().uri("/orders/7?token=secret").retrieve()
            .bodyToMono(String.class).block(Duration.ofSeconds(10));

        assertThat(body).isEqualTo("ok");
        String call = "[default, WebClient] GET " + this.server.url() + "/orders/7";
        assertThat(output.getOut()).contains(call + " attempt 1: status 503 (UNAVAILABLE) -> retry")
            .contains(call + " wait 2ms (backoff) before attempt 2")
            .contains(call + " attempt 2: status 502 (UNAVAILABLE) -> retry")
            .contains(call + " wait 2ms (backoff) before attempt 3")
            .contains(call + " attempt 3: status 200 (SUCCESS) -> done")
            .contains(call + " end after 3 attempts: none, status 200 returned as it was")
            .doesNotContain("token=secret");
        assertThat(lines(output, LOGGER)).allSatisfy((line) -> assertThat(line).contains("DEBUG"));
    }

    @Test
    void restClientCallsAreLoggedTheSameWay(CapturedOutput output) {
        this.logger.setLevel(Level.DEBUG);
        this.server.then(status(503)).otherwise(status(200).body("ok"));
        dev.httpretry.restclient.RetryClientHttpRequestInterceptor interceptor = new dev.httpretry.restclient.RetryClientHttpRequestInterceptor(
                dev.httpretry.core.RetryClients.of(java.util.Map.of(dev.httpretry.core.RetryClients.DEFAULT_CLIENT,
                        Harness.fastPolicy().initialDelay(Duration.ofMillis(2)).maxDelay(Duration.ofMillis(2)).build()),
                        java.time.Clock.systemUTC()),
                dev.httpretry.core.RetryListener.NONE);
        org.springframework.web.client.RestClient client = org.springframework.web.client.RestClient.builder()
            .baseUrl(this.server.url()).requestFactory(new org.springframework.http.client.JdkClientHttpRequestFactory())
            .requestInterceptor(interceptor).build();

        assertThat(client.get().uri("/orders/8?token=secret").retrieve().body(String.class)).isEqualTo("ok");

        String call = "[default, RestClient] GET " + this.server.url() + "/orders/8";
        assertThat(output.getOut()).contains(call + " attempt 1: status 503 (UNAVAILABLE) -> retry")
            .contains(call + " wait 2ms (backoff) before attempt 2")
            .contains(call + " end after 2 attempts: none, status 200 returned as it was")
            .doesNotContain("token=secret");
    }

    @Test
    void aCallThatEndsOnARetriedStatusSaysItIsReturnedAsItWas(CapturedOutput output) {
        this.logger.setLevel(Level.DEBUG);
        this.server.otherwise(status(503));
        Harness harness = Harness.of(Harness.fastPolicy().maxAttempts(2));

        assertThatThrownBy(() -> harness.client(this.server.url()).get().uri("/a").retrieve().toBodilessEntity()
            .block(Duration.ofSeconds(10))).isInstanceOf(WebClientResponseException.ServiceUnavailable.class);

        String call = "[default, WebClient] GET " + this.server.url() + "/a";
        assertThat(output.getOut()).contains(call + " attempt 2: status 503 (UNAVAILABLE) -> stop (exhausted)")
            .contains(call + " end after 2 attempts: exhausted, status 503 returned as it was");
    }

    @Test
    void aPermanentStatusAndAnUnsafeMethodSayWhyTheyAreNotRetried(CapturedOutput output) {
        this.logger.setLevel(Level.DEBUG);
        this.server.then(status(404)).otherwise(status(503));
        Harness harness = Harness.of(Harness.fastPolicy());

        assertThatThrownBy(() -> harness.client(this.server.url()).get().uri("/missing").retrieve().toBodilessEntity()
            .block(Duration.ofSeconds(10))).isInstanceOf(WebClientResponseException.NotFound.class);
        assertThatThrownBy(() -> harness.client(this.server.url()).post().uri("/orders").retrieve().toBodilessEntity()
            .block(Duration.ofSeconds(10))).isInstanceOf(WebClientResponseException.ServiceUnavailable.class);

        assertThat(output.getOut())
            .contains("[default, WebClient] GET " + this.server.url() + "/missing attempt 1: status 404 (PERMANENT) -> stop (not_retryable)")
            .contains("[default, WebClient] GET " + this.server.url() + "/missing end after 1 attempt: not_retryable, status 404 returned as it was")
            .contains("[default, WebClient] POST " + this.server.url() + "/orders attempt 1: status 503 (UNAVAILABLE) -> stop (unsafe_method)");
    }

    @Test
    void aTransportErrorNamesTheExceptionAndItsRootCause(CapturedOutput output) throws IOException {
        this.logger.setLevel(Level.DEBUG);
        int port = closedPort();
        Harness harness = Harness.of(Harness.fastPolicy().maxAttempts(2));

        assertThatThrownBy(() -> harness.client("http://127.0.0.1:" + port).get().uri("/x?q=1").retrieve().toBodilessEntity()
            .block(Duration.ofSeconds(10))).isInstanceOf(WebClientRequestException.class);

        String call = "[default, WebClient] GET http://127.0.0.1:" + port + "/x";
        assertThat(output.getOut())
            .contains(call + " attempt 1: error org.springframework.web.reactive.function.client.WebClientRequestException caused by ")
            .contains("(CONNECTION_REFUSED) -> retry")
            .contains(call + " wait ")
            .contains(call + " end after 2 attempts: exhausted, error org.springframework.web.reactive.function.client.WebClientRequestException");
    }

    /** A call whose wait is ended by a stopping application ends on an exception: the log says so, as the caller sees it. */
    @Test
    void aCallEndedByShutdownIsLoggedWithTheExceptionTheCallerGets(CapturedOutput output) {
        this.logger.setLevel(Level.DEBUG);
        this.server.otherwise(status(503).header("Retry-After", "50"));
        Harness harness = Harness.of(Harness.fastPolicy().deadline(Duration.ofMinutes(2)));
        org.springframework.web.reactive.function.client.WebClient client = harness.client(this.server.url());
        java.util.concurrent.atomic.AtomicReference<Throwable> ended = new java.util.concurrent.atomic.AtomicReference<>();
        client.get().uri("/later").retrieve().toBodilessEntity().subscribe(null, ended::set);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> harness.listener.backoffs.size() == 1);

        harness.waits.stop();

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ended.get() != null);
        assertThat(ended.get()).isInstanceOf(IllegalStateException.class);
        String call = "[default, WebClient] GET " + this.server.url() + "/later";
        assertThat(output.getOut()).contains(call + " end after 1 attempt: shutdown, error java.lang.IllegalStateException")
            .doesNotContain("returned as it was");
    }

    @Test
    void nothingIsLoggedAboveDebugAndNothingAtAllWhenDebugIsOff(CapturedOutput output) {
        this.logger.setLevel(Level.INFO);
        this.server.then(status(503)).otherwise(status(200).body("ok"));
        Harness harness = Harness.of(Harness.fastPolicy());

        harness.client(this.server.url()).get().uri("/quiet").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));

        assertThat(this.server.requests()).isEqualTo(2);
        assertThat(lines(output, LOGGER)).isEmpty();
        assertThat(output.getOut()).doesNotContain("/quiet attempt");
    }

    private static java.util.List<String> lines(CapturedOutput output, String logger) {
        return output.getOut().lines().filter((line) -> line.contains(logger)).toList();
    }
}
