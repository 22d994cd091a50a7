package dev.httpretry.micrometer;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import dev.httpretry.client.AttemptObservation;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.restclient.RetryClientHttpRequestInterceptor;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.TestServer;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One attempt, one error name: the timer Micrometer derives from an attempt's observation and the
 * attempts counter name the same error for the same attempt (a timed-out attempt is an
 * {@code AttemptTimeoutException} in both, the deadline a {@code RetryDeadlineExceededException}),
 * and every one of these meters has a description, as has the counter Micrometer derives from the
 * wait events on the call's observation.
 */
class AttemptErrorNamesTests {

    private final TestServer server = new TestServer();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final ObservationRegistry observations = ObservationRegistry.create();

    private final RetryClients clients;

    AttemptErrorNamesTests() {
        this.meters.config().meterFilter(RetryMetrics.descriptions());
        this.observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(this.meters));
        RetryPolicy policy = Harness.fastPolicy().attemptTimeout(Duration.ofMillis(300)).deadline(Duration.ofSeconds(10)).build();
        RetryPolicy tight = Harness.fastPolicy().attemptTimeout(Duration.ofSeconds(5)).deadline(Duration.ofMillis(300)).build();
        this.clients = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, policy, "tight", tight), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        this.server.close();
    }

    @Test
    void aWebClientAttemptThatTimesOutIsAnAttemptTimeoutExceptionInBoth() {
        this.server.then(TestServer.Reply.hang()).otherwise(status(200).body("ok"));
        RetryExchangeFilterFunction filter = new RetryExchangeFilterFunction(this.clients, new RetryMetrics(this.meters, this.clients))
            .withObservationRegistry(this.observations);

        WebClient.builder().baseUrl(this.server.url()).filter(filter).build().get().retrieve().bodyToMono(String.class)
            .block(Duration.ofSeconds(10));

        assertSameErrorName("1", "AttemptTimeoutException");
    }

    @Test
    void aWebClientAttemptCutByTheDeadlineIsARetryDeadlineExceededExceptionInBoth() {
        this.server.otherwise(TestServer.Reply.hang());
        RetryExchangeFilterFunction filter = new RetryExchangeFilterFunction(this.clients, new RetryMetrics(this.meters, this.clients))
            .withObservationRegistry(this.observations).forClient("tight");

        assertThatThrownBy(() -> WebClient.builder().baseUrl(this.server.url()).filter(filter).build().get().retrieve()
            .bodyToMono(String.class).block(Duration.ofSeconds(10))).isNotNull();

        assertSameErrorName("1", "RetryDeadlineExceededException");
    }

    @Test
    void aRestClientAttemptThatTimesOutIsAnAttemptTimeoutExceptionInBoth() {
        this.server.then(TestServer.Reply.hang()).otherwise(status(200).body("ok"));
        RetryClientHttpRequestInterceptor interceptor = new RetryClientHttpRequestInterceptor(this.clients,
                new RetryMetrics(this.meters, this.clients)).withObservationRegistry(this.observations);
        RestClient client = interceptor.applyTo(RestClient.builder().requestFactory(new ReactorClientHttpRequestFactory()))
            .baseUrl(this.server.url()).build();

        assertThat(client.get().retrieve().body(String.class)).isEqualTo("ok");

        assertSameErrorName("1", "AttemptTimeoutException");
    }

    @Test
    void aWaitIsCountedOnTheCallsObservationUnderANameThatSaysItOnceWithADescription() {
        this.server.then(status(503)).otherwise(status(200).body("ok"));
        RetryExchangeFilterFunction filter = new RetryExchangeFilterFunction(this.clients, new RetryMetrics(this.meters, this.clients))
            .withObservationRegistry(this.observations);

        WebClient.builder().baseUrl(this.server.url()).observationRegistry(this.observations).filter(filter).build()
            .get().retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));

        assertThat(AttemptObservation.WAIT_EVENT).isEqualTo("retry.wait");
        assertThat(RetryMetrics.WAITS).isEqualTo("http.client.requests.retry.wait");
        Counter waits = this.meters.get(RetryMetrics.WAITS).counter();
        assertThat(waits.count()).isEqualTo(1);
        assertThat(waits.getId().getDescription()).isNotBlank();
        assertThat(this.meters.getMeters()).extracting((meter) -> meter.getId().getName())
            .noneMatch((name) -> name.contains("http.client.requests.http.client"));
        for (Meter meter : this.meters.getMeters()) {
            if (meter.getId().getName().startsWith("http.client.retry") || meter.getId().getName().equals(RetryMetrics.WAITS)) {
                assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
            }
        }
    }

    @Test
    void aMeterThatHasADescriptionKeepsItAndOtherMetersAreLeftAlone() {
        Counter described = Counter.builder("http.client.requests." + AttemptObservation.WAIT_EVENT).description("mine")
            .register(this.meters);
        Counter other = Counter.builder("orders.placed").register(this.meters);

        assertThat(described.getId().getDescription()).isEqualTo("mine");
        assertThat(other.getId().getDescription()).isNull();
    }

    private void assertSameErrorName(String attempt, String expected) {
        assertThat(this.meters.get(RetryMetrics.ATTEMPTS).tag("attempt", attempt).counter().getId().getTag("error"))
            .isEqualTo(expected);
        assertThat(this.meters.get(RetryMetrics.ATTEMPT_OBSERVATION).tag("attempt", attempt).timer().getId().getTag("error"))
            .isEqualTo(expected);
        for (Meter meter : this.meters.getMeters()) {
            assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
        }
    }
}
