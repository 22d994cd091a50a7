package dev.httpretry.sample;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a Prometheus reads from the sample, after demos whose calls retry, wait and hedge: every
 * family of http-retry has {@code # HELP} text (what {@code promtool check metrics} asks of it), and
 * every metric that the Grafana dashboard beside the sample and the README's PromQL examples select
 * is in the scrape.
 */
@SampleAppTest
class MetricsScrapeTests {

    private static final Path DASHBOARD = Path.of("grafana", "http-retry-dashboard.json");

    private static final Path README = Path.of("..", "README.md");

    /** The families of http-retry's own meters, and the counter Micrometer derives from the wait events. */
    private static final List<String> FAMILIES = List.of("http_client_retry_calls_total", "http_client_retry_attempts_total",
            "http_client_retry_backoff_seconds", "http_client_retry_backoff_seconds_max", "http_client_retry_hedges_total",
            "http_client_retry_budget_available", "http_client_retry_attempt_seconds", "http_client_retry_attempt_seconds_max",
            "http_client_retry_attempt_active_seconds", "http_client_retry_attempt_active_seconds_max",
            "http_client_requests_retry_wait_total");

    @Autowired
    private WebTestClient webTestClient;

    private String scrape = "";

    /** Demos whose calls retry (503s), wait, and hedge (slow answers), then the scrape. */
    @BeforeEach
    void scrapeAfterDemos() {
        WebTestClient web = this.webTestClient.mutate().responseTimeout(Duration.ofSeconds(60)).build();
        web.get().uri("/demo?calls=20&fail=0.5&mode=error").exchange().expectStatus().isOk();
        web.get().uri("/demo?calls=20&fail=0.5&mode=slow&slowMs=300").exchange().expectStatus().isOk();
        this.scrape = web.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody();
    }

    @Test
    void everyFamilyOfHttpRetryHasHelpText() {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> help = new LinkedHashMap<>();
        for (String line : this.scrape.split("\n")) {
            String[] parts = line.split(" ", 4);
            if (line.startsWith("# TYPE ") && parts.length >= 4) {
                types.put(parts[2], parts[3]);
            }
            else if (line.startsWith("# HELP ") && parts.length >= 3) {
                help.put(parts[2], (parts.length == 4) ? parts[3] : "");
            }
        }
        assertThat(types).as("the families in the scrape").containsKeys(FAMILIES.toArray(String[]::new));
        assertThat(types.keySet()).as("the wait counter names the observation once")
            .noneMatch((name) -> name.startsWith("http_client_requests_http_client"));
        List<String> ours = types.keySet().stream()
            .filter((name) -> name.startsWith("http_client_retry_") || name.startsWith("http_client_requests_retry_"))
            .toList();
        assertThat(ours).containsAll(FAMILIES);
        for (String family : ours) {
            assertThat(help.get(family)).as("# HELP of " + family).isNotNull().isNotBlank();
        }
    }

    @Test
    void everyMetricOfTheDashboardIsInTheScrape() throws IOException {
        JsonNode dashboard = JsonMapper.builder().build().readTree(DASHBOARD.toFile());
        List<String> expressions = dashboard.findValuesAsString("expr");
        assertThat(expressions).as("the dashboard's queries").hasSizeGreaterThanOrEqualTo(10);
        Set<String> metrics = new LinkedHashSet<>();
        for (String expression : expressions) {
            Set<String> names = PromQl.metricNames(expression);
            assertThat(names).as("the metrics of " + expression).isNotEmpty();
            metrics.addAll(names);
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String query = variable.path("definition").asString("");
            if (query.startsWith("label_values(")) {
                metrics.add(query.substring("label_values(".length(), query.indexOf(',')).strip());
            }
        }
        assertThat(metrics).as("calls, attempts, waits, hedges, budget").contains("http_client_retry_calls_total",
                "http_client_retry_attempts_total", "http_client_retry_backoff_seconds_bucket", "http_client_retry_hedges_total",
                "http_client_retry_budget_available");
        assertInScrape(metrics);
    }

    @Test
    void everyMetricOfTheReadmesPromQlIsInTheScrape() throws IOException {
        List<String> queries = PromQl.queriesOf(README);
        assertThat(queries).as("the README's PromQL examples").hasSizeGreaterThanOrEqualTo(3);
        Set<String> metrics = new LinkedHashSet<>();
        for (String query : queries) {
            Set<String> names = PromQl.metricNames(query);
            assertThat(names).as("the metrics of " + query).isNotEmpty();
            metrics.addAll(names);
        }
        assertInScrape(metrics);
    }

    @Test
    void metricNamesAreFoundInPromQl() {
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le, client) "
                + "(rate(http_client_retry_backoff_seconds_bucket{client=~\"$client\", source!=\"by\"}[$__rate_interval])))"))
            .containsExactly("http_client_retry_backoff_seconds_bucket");
        assertThat(PromQl.metricNames("# share\n  sum by (client, reason) (rate(a_total[5m]))\n/ ignoring (reason) group_left\n"
                + "  sum by (client) (rate(b_total[5m] offset 1m)) > bool 0.5e3"))
            .containsExactly("a_total", "b_total");
    }

    private void assertInScrape(Set<String> metrics) {
        List<String> missing = new ArrayList<>();
        for (String metric : metrics) {
            if (!this.scrape.contains("\n" + metric + "{") && !this.scrape.contains("\n" + metric + " ")) {
                missing.add(metric);
            }
        }
        assertThat(missing).as("metrics not in the sample's /actuator/prometheus").isEmpty();
    }
}
