package dev.httpretry.sample;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

import dev.httpretry.core.RetryClient;
import dev.httpretry.core.RetryClients;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.netty.http.client.PrematureCloseException;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.reactor.netty.NettyWebServer;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The sample on a random port: its flaky upstream, a reduced demonstration, and what actuator shows.
 * The upstream's random generator is seeded; every assertion on counts keeps a wide margin (with
 * {@code fail=0.5} the plain client succeeds about half the time, the retrying one about 94%).
 */
@SampleAppTest
@ExtendWith(OutputCaptureExtension.class)
class SampleApplicationTests {

    @Autowired
    private WebTestClient webTestClient;

    @Autowired
    private ApplicationContext context;

    @Autowired
    private Clock clock;

    @LocalServerPort
    private int port;

    private WebTestClient web;

    @BeforeEach
    void longerTimeout() {
        this.web = this.webTestClient.mutate().responseTimeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void retryingClientsSucceedMoreOftenThanThePlainOne() {
        DemoReport report = this.web.get()
            .uri("/demo?calls=60&concurrency=10&fail=0.5&mode=error")
            .accept(MediaType.APPLICATION_JSON)
            .exchange()
            .expectStatus().isOk()
            .expectBody(DemoReport.class)
            .returnResult()
            .getResponseBody();
        assertThat(report).isNotNull();
        assertThat(report.runs()).extracting(RunResult::client).containsExactly(Demo.PLAIN, WebFluxDemoConfiguration.RETRYING,
                WebFluxDemoConfiguration.BUDGET_AT_WORK, WebFluxDemoConfiguration.RETRYING_REST_CLIENT,
                WebFluxDemoConfiguration.HEDGING);
        RunResult plain = report.run(Demo.PLAIN);

        assertThat(plain.calls()).isEqualTo(60);
        assertThat(plain.attempts()).as("the plain client sends each call once").isEqualTo(60);
        assertThat(plain.failures()).containsOnlyKeys("503");
        assertThat(plain.stopReasons()).isEmpty();
        assertThat(plain.note()).isEmpty();

        for (RunResult retrying : report.runs().subList(1, report.runs().size())) {
            assertThat(retrying.calls()).as(retrying.client()).isEqualTo(60);
            assertThat(retrying.successes()).as(retrying.client()).isGreaterThan(plain.successes());
            assertThat(retrying.attempts()).as(retrying.client()).isGreaterThan(retrying.calls())
                .isLessThanOrEqualTo(4L * retrying.calls());
            assertThat(retrying.amplification()).as(retrying.client()).isGreaterThan(1.0);
            assertThat(retrying.stopReasons().values().stream().mapToLong(Long::longValue).sum()).as(retrying.client())
                .isEqualTo(60);
            assertThat(retrying.stopReasons().get("none")).as(retrying.client()).isEqualTo(retrying.successes());
        }
        assertThat(report.run(WebFluxDemoConfiguration.RETRYING).note()).isEmpty();
        assertThat(report.run(WebFluxDemoConfiguration.RETRYING_REST_CLIENT).note()).isEmpty();
        assertThat(report.run(WebFluxDemoConfiguration.BUDGET_AT_WORK).note()).contains("budget");
        assertThat(report.run(WebFluxDemoConfiguration.HEDGING).note()).contains("hedging");
    }

    @Test
    void demoAnswersWithTheTableWhenAskedForText() {
        this.web.get()
            .uri("/demo?calls=10&fail=0")
            .accept(MediaType.TEXT_PLAIN)
            .exchange()
            .expectStatus().isOk()
            .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
            .expectBody(String.class)
            .value((table) -> assertThat(table).contains("amplification", Demo.PLAIN, WebFluxDemoConfiguration.RETRYING,
                    WebFluxDemoConfiguration.RETRYING_REST_CLIENT, WebFluxDemoConfiguration.HEDGING,
                    "note: " + WebFluxDemoConfiguration.BUDGET_AT_WORK + ": upstreamRestClient right after the row above"));
    }

    /** Like with like: the rows' clients have one policy (the hedging one adds hedging) and a budget each. */
    @Test
    void theRowsClientsHaveOnePolicyAndABudgetEach() {
        RetryClients clients = this.context.getBean(RetryClients.class);
        RetryClient upstream = clients.get(WebFluxDemoConfiguration.UPSTREAM);
        RetryClient rest = clients.get(WebFluxDemoConfiguration.UPSTREAM_REST);
        RetryClient hedged = clients.get(WebFluxDemoConfiguration.UPSTREAM_HEDGED);

        assertThat(rest.policy().settings()).isEqualTo(upstream.policy().settings());
        assertThat(hedged.policy().settings().hedging().enabled()).isTrue();
        assertThat(upstream.policy().settings().hedging().enabled()).isFalse();
        assertThat(hedged.policy().settings()).usingRecursiveComparison().ignoringFields("hedging")
            .isEqualTo(upstream.policy().settings());
        assertThat(rest.budgets()).isNotSameAs(upstream.budgets()).isNotSameAs(hedged.budgets());
        assertThat(upstream.policy().settings().attemptTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(upstream.policy().settings().deadline()).isEqualTo(Duration.ofSeconds(5));
    }

    /** The default run is WebFlux on Reactor Netty, although Spring MVC and Tomcat are on the classpath for the mvc profile. */
    @Test
    void theDefaultRunIsWebFluxOnReactorNetty() {
        assertThat(this.context).isInstanceOf(ReactiveWebServerApplicationContext.class);
        assertThat(((ReactiveWebServerApplicationContext) this.context).getWebServer()).isInstanceOf(NettyWebServer.class);
        assertThat(this.context.getBeanProvider(MvcDemoConfiguration.class).getIfAvailable()).isNull();
    }

    @Test
    void demoRejectsABadParameter() {
        this.web.get()
            .uri("/demo?fail=2")
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody(String.class)
            .value((message) -> assertThat(message).contains("Invalid fail (2.0)"));
    }

    @Test
    void demoAnswersABadNameWithTheAllowedValues() {
        this.web.get()
            .uri("/demo?mode=flaky")
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody(String.class)
            .isEqualTo("Invalid mode (flaky): must be one of error, rate-limit, drop, slow, mixed\n");
        this.web.get()
            .uri("/demo?retryAfterFormat=epoch")
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody(String.class)
            .isEqualTo("Invalid retryAfterFormat (epoch): must be one of seconds, date, rate-limit, rate-limit-reset,"
                    + " x-rate-limit-reset\n");
        this.web.get()
            .uri("/demo?fail=half")
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody(String.class)
            .isEqualTo("Invalid fail (half): must be a number\n");
    }

    @Test
    void startUpDemoLogsTheTable(CapturedOutput output) {
        assertThat(this.context.getBeanProvider(DemoRunner.class).getIfAvailable())
            .as("sample.demo.on-startup=false").isNull();
        SampleProperties properties = this.context.getBean(SampleProperties.class);

        new DemoRunner(this.context.getBean(Demo.class), properties.demo().toRequest()).run(new DefaultApplicationArguments());

        assertThat(output.getOut()).contains("plain (no retry): 10/20 calls done", "retrying WebClient (upstream): 20/20 calls done",
                "client", "amplification", Demo.PLAIN, WebFluxDemoConfiguration.RETRYING, "/actuator/retry");
    }

    @Test
    void upstreamAnswersAsAsked() {
        this.web.get().uri("/upstream/resource").exchange().expectStatus().isOk();
        this.web.get().uri("/upstream/resource?fail=1").exchange().expectStatus().isEqualTo(503);
        this.web.get().uri("/upstream/resource?fail=1&status=500").exchange().expectStatus().isEqualTo(500);
        this.web.get().uri("/upstream/resource?fail=2").exchange().expectStatus().isBadRequest();
        this.web.get()
            .uri("/upstream/resource?fail=1&mode=rate-limit&retryAfter=3")
            .exchange()
            .expectStatus().isEqualTo(429)
            .expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "3");
    }

    @Test
    void upstreamSendsRetryAfterAsAnHttpDateNeverEarlierThanAsked() {
        Instant before = this.clock.instant();
        String retryAfter = this.web.get()
            .uri("/upstream/resource?fail=1&mode=rate-limit&retryAfter=3&retryAfterFormat=date")
            .exchange()
            .expectStatus().isEqualTo(429)
            .returnResult(Void.class)
            .getResponseHeaders()
            .getFirst(HttpHeaders.RETRY_AFTER);
        Instant after = this.clock.instant();

        Instant date = ZonedDateTime.parse(Objects.requireNonNull(retryAfter), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertThat(retryAfter).endsWith(" GMT");
        assertThat(date).isAfterOrEqualTo(before.plusSeconds(3)).isBeforeOrEqualTo(after.plusSeconds(4));
    }

    @Test
    void upstreamCanPushBackWithTheRateLimitHeadersInstead() {
        this.web.get().uri("/upstream/resource?fail=1&mode=rate-limit&retryAfter=3&retryAfterFormat=rate-limit")
            .exchange()
            .expectStatus().isEqualTo(429)
            .expectHeader().doesNotExist(HttpHeaders.RETRY_AFTER)
            .expectHeader().valueEquals("RateLimit", "\"default\";r=0;t=3");
        this.web.get().uri("/upstream/resource?fail=1&mode=rate-limit&retryAfter=3&retryAfterFormat=rate-limit-reset")
            .exchange()
            .expectHeader().valueEquals("RateLimit-Reset", "3");
        long epoch = Long.parseLong(Objects.requireNonNull(this.web.get()
            .uri("/upstream/resource?fail=1&mode=rate-limit&retryAfter=3&retryAfterFormat=x-rate-limit-reset")
            .exchange()
            .returnResult(Void.class)
            .getResponseHeaders()
            .getFirst("X-RateLimit-Reset")));
        assertThat(epoch).isGreaterThanOrEqualTo(this.clock.instant().getEpochSecond() + 2);
    }

    @Test
    void upstreamDropsTheConnectionWithoutAResponse() {
        WebClient client = WebClient.create("http://localhost:" + this.port);

        assertThatExceptionOfType(WebClientRequestException.class)
            .isThrownBy(() -> client.get().uri("/upstream/resource?fail=1&mode=drop").retrieve().toBodilessEntity().block(Duration.ofSeconds(10)))
            .withCauseInstanceOf(PrematureCloseException.class);
    }

    @Test
    void upstreamCountsWhatItReceivedPerRun() {
        FlakyUpstream upstream = this.context.getBean(FlakyUpstream.class);
        String run = upstream.openRun("probe");
        for (int i = 0; i < 3; i++) {
            this.web.get().uri("/upstream/resource?fail=1&run=" + run).exchange().expectStatus().isEqualTo(503);
        }
        assertThat(upstream.closeRun(run)).as("the test client does not retry").isEqualTo(3);
        assertThat(upstream.closeRun(run)).as("a closed run counts nothing").isZero();
    }

    @Test
    void actuatorShowsHealthAndPrometheus() {
        this.web.get().uri("/actuator/health").exchange().expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
        this.web.get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
    }

    // The retry actuator endpoint and the http.client.retry.* meters, as the contract names them.
    @Test
    void retryEndpointAndMetersCountTheUpstreamClient() {
        this.web.get().uri("/demo?calls=20&fail=0.5&mode=error").exchange().expectStatus().isOk();

        this.web.get().uri("/actuator/retry").exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.clients.default").exists()
            .jsonPath("$.clients.upstream.policy['max-attempts']").isEqualTo(4)
            .jsonPath("$.clients.upstream.policy.deadline").isEqualTo("5s")
            .jsonPath("$.clients.upstream.policy['attempt-timeout']").isEqualTo("500ms")
            .jsonPath("$.clients.upstream.state.calls.success").value(Integer.class, (n) -> assertThat(n).isPositive())
            .jsonPath("$.clients.upstream.state.calls.total").value(Integer.class, (n) -> assertThat(n).isGreaterThanOrEqualTo(20))
            .jsonPath("$.clients.upstream.state.calls['by-reason'].none").value(Integer.class, (n) -> assertThat(n).isPositive())
            .jsonPath("$.clients.upstream.state.attempts").value(Integer.class, (n) -> assertThat(n).isGreaterThan(20))
            .jsonPath("$.clients.upstream.state['budget-available']").exists();

        this.web.get().uri("/actuator/retry/upstream").exchange().expectStatus().isOk();

        this.web.get().uri("/actuator/metrics/http.client.retry.calls?tag=client:upstream").exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.name").isEqualTo("http.client.retry.calls")
            .jsonPath("$.measurements[0].value").value(Double.class, (n) -> assertThat(n).isGreaterThanOrEqualTo(20));
        this.web.get().uri("/actuator/metrics/http.client.retry.attempts?tag=client:upstream").exchange()
            .expectStatus().isOk();

        this.web.get().uri("/actuator/prometheus").exchange()
            .expectStatus().isOk()
            .expectBody(String.class)
            .value((body) -> assertThat(body).contains("http_client_retry_calls_total", "http_client_retry_attempts_total"));
    }
}
