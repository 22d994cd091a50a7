package dev.httpretry.test;

import java.net.ConnectException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.httpretry.client.RetryRequests;
import dev.httpretry.core.AttemptTimeoutException;
import dev.httpretry.core.DelaySource;
import dev.httpretry.core.StopReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Each kind of fault, injected below the retry layer against a real server, is decided on as the
 * real failure would be: a refused connection retries even a POST (the server never saw it), a reset
 * stops a POST (it may have), a late answer meets the attempt timeout, a share follows its seeded
 * random source, a client's faults leave other clients alone, and the meters count what the faults did.
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = { "http.retry.testing.skip-waits=true", "spring.http.clients.imperative.factory=jdk",
                "http.retry.clients.slow.attempt-timeout=1s", "http.retry.clients.once.max-attempts=1" })
class FaultInjectorTests {

    static final Upstream upstream = new Upstream();

    @DynamicPropertySource
    static void urls(DynamicPropertyRegistry registry) {
        registry.add("http.retry.clients.slow.base-url", upstream::url);
        registry.add("http.retry.clients.once.base-url", upstream::url);
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    @Autowired
    FaultInjector faults;

    @Autowired
    RetryRecorder recorder;

    @Autowired
    MeterRegistry meters;

    @Autowired
    WebClient.Builder webClients;

    @Autowired
    RestClient.Builder restClients;

    @BeforeEach
    void forgetRequests() {
        upstream.requests.clear();
    }

    @Test
    void aRefusedConnectionRetriesAPostTheServerNeverSaw() {
        RestClient client = this.restClients.baseUrl(upstream.url()).build();
        double retriedBefore = retried("default");
        this.faults.forClient("default").next(1).refuseConnection();

        assertThat(client.post().uri("/charges").body("pay").retrieve().body(String.class)).isEqualTo("ok");

        assertThat(upstream.requests).containsExactly("POST /charges pay");
        RecordedCall call = this.recorder.lastCall("default");
        call.check().attempts(2).statuses(200).waitSources(DelaySource.BACKOFF).ended(StopReason.NONE);
        assertThat(call.attempts().get(0).error()).isInstanceOf(ConnectException.class);
        // a refused connection waits at least connection-refused-min-delay (2s), recorded in full though skipped
        assertThat(call.waited()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(retried("default") - retriedBefore).isEqualTo(1.0);
    }

    @Test
    void aResetStopsAPostThatMayHaveReachedTheServer() {
        WebClient client = this.webClients.baseUrl(upstream.url()).build();
        this.faults.forClient("default").next(1).reset();

        assertThatExceptionOfType(WebClientRequestException.class)
            .isThrownBy(() -> client.post().uri("/charges").bodyValue("pay").retrieve().bodyToMono(String.class).block())
            .withCauseInstanceOf(SocketException.class);

        assertThat(upstream.requests).isEmpty();
        this.recorder.lastCall("default").check().attempts(1).noWait().ended(StopReason.UNSAFE_METHOD);
    }

    @Test
    void aLateAnswerMeetsTheAttemptTimeoutAndIsRetried() {
        this.faults.forClient("slow").next(1).answerLate(Duration.ofSeconds(30));
        RestClient slow = this.restClients.baseUrl(upstream.url()).build();
        WebClient slowWeb = this.webClients.baseUrl(upstream.url()).build();

        assertThat(slow.get().uri("/slow").attributes(RetryRequests.client("slow")).retrieve().body(String.class))
            .isEqualTo("ok");
        this.faults.forClient("slow").next(1).answerLate(Duration.ofSeconds(30));
        assertThat(slowWeb.get().uri("/slow").attributes(RetryRequests.client("slow")).retrieve()
            .bodyToMono(String.class).block()).isEqualTo("ok");

        for (RecordedCall call : this.recorder.calls("slow")) {
            call.check().attempts(2).statuses(200).ended(StopReason.NONE);
            assertThat(call.attempts().get(0).error()).isInstanceOf(AttemptTimeoutException.class);
        }
        assertThat(this.recorder.calls("slow")).hasSize(2);
        assertThat(upstream.requests).containsExactly("GET /slow", "GET /slow");
    }

    @Test
    void aShareFollowsItsSeededRandomSource() {
        this.faults.setRandom(new SplittableRandom(7));
        this.faults.forClient("once").share(0.5).respond(503);
        RestClient once = this.restClients.baseUrl(upstream.url()).build();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            try {
                once.get().uri("/items").attributes(RetryRequests.client("once")).retrieve().toBodilessEntity();
                statuses.add(200);
            }
            catch (RestClientResponseException ex) {
                statuses.add(ex.getStatusCode().value());
            }
        }

        SplittableRandom same = new SplittableRandom(7);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add((same.nextDouble() < 0.5) ? 503 : 200);
        }
        assertThat(statuses).isEqualTo(expected).contains(200, 503);
        assertThat(this.faults.injected()).isEqualTo((int) expected.stream().filter((status) -> status == 503).count());
    }

    @Test
    void aClientsFaultsLeaveOtherClientsAloneUntilCleared() {
        RestClient client = this.restClients.baseUrl(upstream.url()).build();
        this.faults.forClient("payments").always().respond(503);
        assertThat(client.get().uri("/free").retrieve().body(String.class)).isEqualTo("ok");
        assertThat(this.faults.injected()).isZero();

        this.faults.forEveryClient().always().refuseConnection();
        assertThatExceptionOfType(ResourceAccessException.class).isThrownBy(() -> client.get().uri("/refused").retrieve().body(String.class))
            .withCauseInstanceOf(ConnectException.class);
        this.recorder.lastCall().check().attempts(4).ended(StopReason.EXHAUSTED);

        this.faults.clear();
        assertThat(client.get().uri("/free").retrieve().body(String.class)).isEqualTo("ok");
    }

    private double retried(String client) {
        return this.meters.find("http.client.retry.attempts").tag("client", client).tag("retried", "true").counters().stream()
            .mapToDouble(Counter::count).sum();
    }
}
