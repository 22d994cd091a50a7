package dev.httpretry.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.httpretry.micrometer.RetryMetrics;
import dev.httpretry.testing.TestServer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code retry} actuator endpoint and the meters in a running application, over HTTP.
 */
@SpringBootTest(classes = RetryEndpointTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=retry,metrics,prometheus",
        "http.retry.backoff.initial-delay=1ms", "http.retry.backoff.max-delay=4ms",
        "http.retry.clients.payments.max-attempts=3", "http.retry.clients.payments.backoff.jitter=none",
        "http.retry.clients.payments.deadline=2s" })
class RetryEndpointTests {

    private static final TestServer upstream = new TestServer();

    @LocalServerPort
    private int port;

    @Autowired
    @Qualifier("payments")
    private WebClient payments;

    @Autowired
    @Qualifier("payments")
    private RestClient paymentsRestClient;

    @Autowired
    private MeterRegistry registry;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("http.retry.clients.payments.base-url", upstream::url);
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @Test
    void listsEveryClientWithItsPolicyAndLiveState() {
        upstream.then(status(503), status(503)).otherwise(status(200).body("paid"));
        Map<String, Object> before = map(map(map(get("/actuator/retry").getBody(), "clients"), "payments"), "state");
        assertThat(this.payments.get().uri("/pay").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10)))
            .isEqualTo("paid");

        Map<String, Object> body = get("/actuator/retry").getBody();
        Map<String, Object> clients = map(body, "clients");
        assertThat(clients).containsOnlyKeys("default", "payments");

        Map<String, Object> defaults = map(clients, "default");
        Map<String, Object> defaultPolicy = map(defaults, "policy");
        assertThat(defaultPolicy).containsEntry("max-attempts", 4).containsEntry("deadline", "15s")
            .containsEntry("attempt-timeout", "10s").containsEntry("server-error-retries", 1)
            .containsEntry("connection-refused-min-delay", "2s")
            .containsEntry("statuses", List.of(429, 502, 503, 504))
            .containsEntry("methods", List.of("DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"));
        assertThat(map(defaultPolicy, "backoff")).containsEntry("initial-delay", "1ms").containsEntry("max-delay", "4ms")
            .containsEntry("multiplier", 2.0).containsEntry("jitter", "full");
        assertThat(map(defaultPolicy, "retry-after")).containsEntry("enabled", true).containsEntry("max-wait", "1m");
        assertThat(map(defaultPolicy, "budget")).containsEntry("enabled", true).containsEntry("ratio", 0.1)
            .containsEntry("min-retries-per-second", 10);

        Map<String, Object> paymentsClient = map(clients, "payments");
        assertThat(map(paymentsClient, "policy")).containsEntry("max-attempts", 3).containsEntry("deadline", "2s");
        Map<String, Object> state = map(paymentsClient, "state");
        // the context is shared with the other tests: compare with the state before this call
        assertThat(number(map(state, "calls"), "total") - number(map(before, "calls"), "total")).isEqualTo(1);
        assertThat(number(map(state, "calls"), "success") - number(map(before, "calls"), "success")).isEqualTo(1);
        assertThat(number(map(state, "calls"), "failure") - number(map(before, "calls"), "failure")).isZero();
        assertThat(number(map(map(state, "calls"), "by-reason"), "none")
                - number(map(map(before, "calls"), "by-reason"), "none")).isEqualTo(1);
        assertThat(number(state, "attempts") - number(before, "attempts")).isEqualTo(3);
        assertThat(number(state, "retries") - number(before, "retries")).isEqualTo(2);
        // the call deposited a tenth of a retry and took two
        assertThat(number(state, "budget-available")).isBetween(number(before, "budget-available") - 2,
                number(before, "budget-available") - 1);
    }

    @Test
    void restClientCallsAreCountedUnderTheSameClientWithOneHttpClientRequestsSample() {
        // 502, not 503: this module's tests have Apache HttpClient 5, which Boot picks for RestClient in a
        // reactive app and which re-sends a 503 once by itself
        upstream.then(status(502), status(502)).otherwise(status(200).body("paid"));
        Map<String, Object> before = map(map(map(get("/actuator/retry").getBody(), "clients"), "payments"), "state");
        double requestsBefore = requestsCount();
        int sentBefore = upstream.requests();

        assertThat(this.paymentsRestClient.get().uri("/pay").retrieve().body(String.class)).isEqualTo("paid");

        Map<String, Object> state = map(map(map(get("/actuator/retry").getBody(), "clients"), "payments"), "state");
        assertThat(number(map(state, "calls"), "success") - number(map(before, "calls"), "success")).isEqualTo(1);
        assertThat(number(state, "attempts") - number(before, "attempts")).isEqualTo(3);
        assertThat(number(state, "retries") - number(before, "retries")).isEqualTo(2);
        assertThat(upstream.requests() - sentBefore).isEqualTo(3);
        assertThat(requestsCount() - requestsBefore).isEqualTo(1);
        assertThat(this.registry.get(RetryMetrics.ATTEMPTS).tags("client", "payments", "method", "GET", "attempt", "1",
                "status", "502").counter().count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void showsOneClientAndAnswers404ForAnUnknownOne() {
        ResponseEntity<Map<String, Object>> one = get("/actuator/retry/payments");
        assertThat(one.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(one.getBody()).containsEntry("name", "payments").containsKeys("policy", "state");

        assertThat(get("/actuator/retry/nope").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void keepsOneHttpClientRequestsSamplePerLogicalCall() {
        upstream.then(status(503), status(502)).otherwise(status(200).body("ok"));
        double before = requestsCount();

        this.payments.get().uri("/observed").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));

        assertThat(requestsCount() - before).isEqualTo(1);
        assertThat(this.registry.get(RetryMetrics.ATTEMPTS).tags("client", "payments", "attempt", "3", "status", "200")
            .counter().count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void metersAreServedByTheMetricsAndPrometheusEndpoints() {
        upstream.otherwise(status(200));
        this.payments.get().retrieve().toBodilessEntity().block(Duration.ofSeconds(10));

        ResponseEntity<Map<String, Object>> meter = get("/actuator/metrics/" + RetryMetrics.CALLS);
        assertThat(meter.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(meter.getBody()).containsEntry("name", RetryMetrics.CALLS);

        String prometheus = WebClient.create("http://localhost:" + this.port).get().uri("/actuator/prometheus")
            .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
        assertThat(prometheus).contains("http_client_retry_calls_total{client=\"payments\"")
            .contains("http_client_retry_budget_available{client=\"default\"}");
    }

    private double requestsCount() {
        return this.registry.find("http.client.requests").timers().stream().mapToDouble((timer) -> timer.count()).sum();
    }

    private ResponseEntity<Map<String, Object>> get(String path) {
        return WebClient.create("http://localhost:" + this.port).get().uri(path).retrieve()
            .onStatus((status) -> status.value() == 404, (response) -> response.releaseBody().then(reactor.core.publisher.Mono.empty()))
            .toEntity(new ParameterizedTypeReference<Map<String, Object>>() { })
            .block(Duration.ofSeconds(10));
    }

    private static long number(Map<String, Object> parent, String key) {
        return ((Number) parent.get(key)).longValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        return (Map<String, Object>) parent.get(key);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

    }
}
