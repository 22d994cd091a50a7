package dev.httpretry.sample;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's rows stand on the same footing: with a budget of exactly 10 retries per client and
 * window ({@code ratio 0}, a floor of 1 per second over 10 seconds) and an upstream that fails every
 * request, each retrying row gets exactly its client's 10 retries, whatever ran before it, except the
 * budget row, which shares the {@code upstream} budget with the row before it on purpose and gets
 * none.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "sample.demo.on-startup=false",
        "sample.demo.delay-ms=0",
        "http.retry.budget.ratio=0",
        "http.retry.budget.min-retries-per-second=1" })
@AutoConfigureWebTestClient
class DemoFootingTests {

    private static final int CALLS = 20;

    private static final int BUDGET = 10;

    @Autowired
    private WebTestClient webTestClient;

    @Test
    void eachRetryingRowSpendsABudgetOfItsOwnButTheBudgetRow() {
        DemoReport report = this.webTestClient.mutate().responseTimeout(Duration.ofSeconds(60)).build().get()
            .uri("/demo?calls=" + CALLS + "&concurrency=10&fail=1&mode=error")
            .accept(MediaType.APPLICATION_JSON)
            .exchange()
            .expectStatus().isOk()
            .expectBody(DemoReport.class)
            .returnResult()
            .getResponseBody();
        assertThat(report).isNotNull();

        assertThat(report.run(Demo.PLAIN).attempts()).isEqualTo(CALLS);
        for (String row : new String[] { WebFluxDemoConfiguration.RETRYING, WebFluxDemoConfiguration.RETRYING_REST_CLIENT,
                WebFluxDemoConfiguration.HEDGING }) {
            RunResult run = report.run(row);
            assertThat(run.attempts()).as(row).isEqualTo(CALLS + BUDGET);
            assertThat(run.successes()).as(row).isZero();
            assertThat(run.stopReasons().get("budget")).as(row).isPositive();
        }
        RunResult budgetRow = report.run(WebFluxDemoConfiguration.BUDGET_AT_WORK);
        assertThat(budgetRow.attempts()).as("no retry left in the upstream budget").isEqualTo(CALLS);
        assertThat(budgetRow.stopReasons()).isEqualTo(Map.of("budget", (long) CALLS));
    }
}
