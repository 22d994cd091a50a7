package dev.httpretry.micrometer;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import dev.httpretry.core.RetryPolicyBuilder;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.TestServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import org.springframework.web.reactive.function.client.WebClient;

import static dev.httpretry.testing.Ports.closedPort;
import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The meters, recorded into a real {@link SimpleMeterRegistry} from real calls against a real
 * server: each stop reason of the contract comes from a scenario that really ends that way.
 */
class RetryMetricsTests {

    private final TestServer server = new TestServer();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void stop() {
        this.server.close();
    }

    @Test
    void firstTrySuccessIsCountedAsNotRetried() {
        this.server.otherwise(status(200));
        call(Harness.fastPolicy(), false);

        assertThat(count(RetryMetrics.CALLS, "outcome", "success", "retried", "false", "reason", "none")).isEqualTo(1);
        assertThat(count(RetryMetrics.ATTEMPTS, "attempt", "1", "status", "200", "error", "none", "retried", "false"))
            .isEqualTo(1);
        assertThat(this.registry.find(RetryMetrics.BACKOFF).timers()).isEmpty();
    }

    @Test
    void successAfterRetryIsCountedAsRetried() {
        this.server.then(status(503), status(429).header("Retry-After", "0")).otherwise(status(200));
        call(Harness.fastPolicy(), false);

        assertThat(count(RetryMetrics.CALLS, "outcome", "success", "retried", "true", "reason", "none")).isEqualTo(1);
        assertThat(count(RetryMetrics.ATTEMPTS, "attempt", "1", "status", "503", "retried", "true")).isEqualTo(1);
        assertThat(count(RetryMetrics.ATTEMPTS, "attempt", "2", "status", "429", "retried", "true")).isEqualTo(1);
        assertThat(count(RetryMetrics.ATTEMPTS, "attempt", "3", "status", "200", "retried", "false")).isEqualTo(1);
        assertThat(this.registry.get(RetryMetrics.BACKOFF).tags("client", "default", "source", "backoff").timer().count())
            .isEqualTo(2);
    }

    @Test
    void failureAfterRetriesIsCountedAsExhausted() {
        this.server.otherwise(status(503));
        call(Harness.fastPolicy(), false);

        assertThat(count(RetryMetrics.CALLS, "outcome", "failure", "retried", "true", "reason", "exhausted")).isEqualTo(1);
        assertThat(this.registry.find(RetryMetrics.ATTEMPTS).counters()).extracting((c) -> c.getId().getTag("attempt"))
            .containsExactlyInAnyOrder("1", "2", "3", "4");
    }

    @Test
    void notRetryable() {
        this.server.otherwise(status(404));
        call(Harness.fastPolicy(), false);

        assertOnlyReason("not_retryable", "false");
    }

    @Test
    void deadline() {
        this.server.otherwise(status(503).header("Retry-After", "5"));
        call(Harness.fastPolicy().deadline(Duration.ofSeconds(2)), false);

        assertOnlyReason("deadline", "false");
    }

    @Test
    void budget() {
        this.server.otherwise(status(503));
        call(Harness.fastPolicy().budgetEnabled(true).budgetRatio(0).budgetMinRetriesPerSecond(0), false);

        assertOnlyReason("budget", "false");
    }

    @Test
    void retryAfterTooLong() {
        this.server.otherwise(status(429).header("Retry-After", "3600"));
        call(Harness.fastPolicy(), false);

        assertOnlyReason("retry_after_too_long", "false");
    }

    @Test
    void unsafeMethod() {
        this.server.otherwise(status(502));
        call(Harness.fastPolicy(), true);

        assertOnlyReason("unsafe_method", "false");
        assertThat(count(RetryMetrics.CALLS, "method", "POST")).isEqualTo(1);
    }

    @Test
    void cancelled() {
        this.server.otherwise(status(503));
        Harness harness = harness(Harness.fastPolicy().initialDelay(Duration.ofMinutes(1)).maxDelay(Duration.ofMinutes(1))
            .deadline(Duration.ofMinutes(5)));
        Disposable subscription = harness.client(this.server.url()).get().retrieve().toBodilessEntity().subscribe();
        await().atMost(Duration.ofSeconds(10)).until(() -> harness.listener.backoffs.size() == 1);
        subscription.dispose();

        assertOnlyReason("cancelled", "false");
        assertThat(this.server.requests()).isEqualTo(1);
    }

    @Test
    void refusedConnectionTagsTheRootCauseAndNoStatus() throws IOException {
        Harness harness = harness(Harness.fastPolicy().maxAttempts(2));
        catchThrowable(() -> harness.client("http://127.0.0.1:" + closedPort()).get()
            .retrieve().toBodilessEntity().block(Duration.ofSeconds(10)));

        assertThat(this.registry.find(RetryMetrics.ATTEMPTS).counters()).hasSize(2).allSatisfy((counter) -> {
            assertThat(counter.getId().getTag("status")).isEqualTo("NONE");
            // the root cause's simple name, not the wrapping WebClientRequestException's
            assertThat(counter.getId().getTag("error")).isEqualTo("ConnectException");
        });
    }

    @Test
    void budgetGaugeShowsTheRetriesLeft() {
        this.server.otherwise(status(503));
        call(Harness.fastPolicy().budgetEnabled(true).budgetRatio(0).budgetMinRetriesPerSecond(1), false);

        // a floor of 1 per second over a 10 s window is 10 retries; the call used 3
        assertThat(this.registry.get(RetryMetrics.BUDGET_AVAILABLE).tag("client", "default").gauge().value()).isEqualTo(7);
    }

    @Test
    void noTagHoldsAUriOrAMessage() {
        this.server.otherwise(status(503));
        Harness harness = harness(Harness.fastPolicy());
        catchThrowable(() -> harness.client(this.server.url()).get().uri("/orders/{id}?secret=42", 17).retrieve()
            .toBodilessEntity().block(Duration.ofSeconds(10)));

        assertThat(this.registry.getMeters()).flatExtracting((meter) -> meter.getId().getTags())
            .allSatisfy((tag) -> assertThat(tag.getValue()).doesNotContain("/", "orders", "secret", " "));
    }

    @Test
    void metersRenderInPrometheusFormat() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.server.then(status(503)).otherwise(status(200));
        Harness harness = Harness.of(Harness.fastPolicy());
        harness.listener(new RetryMetrics(prometheus, harness.clients));
        harness.client(this.server.url()).get().retrieve().toBodilessEntity().block(Duration.ofSeconds(10));

        String text = prometheus.scrape();
        assertThat(text).contains(
                "http_client_retry_calls_total{client=\"default\",method=\"GET\",outcome=\"success\",reason=\"none\",retried=\"true\"} 1.0",
                "http_client_retry_attempts_total{attempt=\"1\",client=\"default\",error=\"none\",method=\"GET\",retried=\"true\",status=\"503\"} 1.0",
                "http_client_retry_backoff_seconds_count{client=\"default\",source=\"backoff\"} 1",
                "http_client_retry_budget_available{client=\"default\"}");
    }

    @Test
    void recordingReusesTheRegisteredMeters() {
        this.server.otherwise(status(200));
        Harness harness = harness(Harness.fastPolicy());
        WebClient client = harness.client(this.server.url());
        client.get().retrieve().toBodilessEntity().block(Duration.ofSeconds(10));
        int meters = this.registry.getMeters().size();
        for (int i = 0; i < 20; i++) {
            client.get().retrieve().toBodilessEntity().block(Duration.ofSeconds(10));
        }

        assertThat(this.registry.getMeters()).hasSize(meters);
        assertThat(count(RetryMetrics.CALLS, "reason", "none")).isEqualTo(21);
    }

    private Harness harness(RetryPolicyBuilder policy) {
        Harness harness = Harness.of(policy);
        return harness.listener(new RetryMetrics(this.registry, harness.clients));
    }

    private void call(RetryPolicyBuilder policy, boolean post) {
        WebClient client = harness(policy).client(this.server.url());
        AtomicReference<Object> done = new AtomicReference<>();
        (post ? client.post().bodyValue("x") : client.get()).retrieve().toBodilessEntity()
            .subscribe(done::set, done::set);
        await().atMost(Duration.ofSeconds(10)).until(() -> done.get() != null);
    }

    private void assertOnlyReason(String reason, String retried) {
        await().atMost(Duration.ofSeconds(10)).until(() -> count(RetryMetrics.CALLS) == 1);
        assertThat(count(RetryMetrics.CALLS, "reason", reason, "retried", retried, "outcome", "failure")).isEqualTo(1);
    }

    private double count(String name, String... tags) {
        return this.registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }
}
