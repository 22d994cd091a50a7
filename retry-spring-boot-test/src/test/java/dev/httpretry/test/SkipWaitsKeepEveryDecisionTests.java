package dev.httpretry.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import dev.httpretry.client.RetryRequests;
import dev.httpretry.core.Jitter;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.core.StopReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code http.retry.testing.skip-waits} changes no decision: the same scripted failures (503s, a
 * {@code Retry-After} in seconds and as an HTTP-date, one beyond {@code max-wait}, a deadline hit
 * during the waits, budget refusals) give the same recorded calls, waits at their full length and
 * stop reasons, in an application that waits them and in one that skips them, for WebClient and
 * RestClient. The retry clients' wall clock is fixed, so that an HTTP-date gives the same wait to the
 * nanosecond in both runs (a date after a skipped wait is {@code SkippedWaitTests}' in retry-core).
 */
class SkipWaitsKeepEveryDecisionTests {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    private static final Upstream upstream = new Upstream();

    @AfterAll
    static void stop() {
        upstream.close();
    }

    @ParameterizedTest
    @ValueSource(strings = { "WebClient", "RestClient" })
    void skippedWaitsGiveTheSameCallsAsRealOnes(String clientType) {
        long start = System.nanoTime();
        Run real = run(false, clientType);
        long realNanos = System.nanoTime() - start;
        start = System.nanoTime();
        Run skipped = run(true, clientType);
        long skippedNanos = System.nanoTime() - start;

        assertThat(skipped.calls).isEqualTo(real.calls);
        assertThat(skipped.reasons).isEqualTo(real.reasons).containsExactly(StopReason.NONE, StopReason.NONE, StopReason.NONE,
                StopReason.RETRY_AFTER_TOO_LONG, StopReason.DEADLINE, StopReason.BUDGET, StopReason.BUDGET);
        assertThat(real.waited).isEqualTo(Duration.ofMillis(3_600));
        assertThat(skipped.waited).isEqualTo(real.waited);
        // the real run waited 3.6 s; the skipped one did not (a bound loose enough for any machine)
        assertThat(Duration.ofNanos(realNanos)).isGreaterThanOrEqualTo(real.waited);
        assertThat(Duration.ofNanos(skippedNanos)).isLessThan(real.waited);
    }

    private record Run(List<String> calls, List<StopReason> reasons, Duration waited) {
    }

    private static Run run(boolean skipWaits, String clientType) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(TestApp.class, Policies.class)
            .web(WebApplicationType.NONE).properties("http.retry.testing.skip-waits=" + skipWaits).run()) {
            FaultInjector faults = context.getBean(FaultInjector.class);
            RetryRecorder recorder = context.getBean(RetryRecorder.class);
            BiConsumer<String, String> call = clientType.equals("WebClient") ? webClient(context) : restClient(context);

            faults.forClient("default").next(2).respond(503);
            call.accept("default", "/two-503s");
            faults.forClient("default").next(1).respond(429, "Retry-After", "1");
            call.accept("default", "/retry-after-seconds");
            faults.forClient("default").next(1).respond(503, "Retry-After", date(NOW.plusSeconds(1)));
            call.accept("default", "/retry-after-date");
            faults.forClient("default").next(1).respond(503, "Retry-After", "120");
            call.accept("default", "/retry-after-beyond-max-wait");
            faults.forClient("deadline").next(3).respond(503, "Retry-After", "1");
            call.accept("deadline", "/deadline-during-waits");
            faults.forClient("budget").always().respond(503);
            call.accept("budget", "/budget-1");
            call.accept("budget", "/budget-2");

            List<RecordedCall> calls = recorder.calls();
            return new Run(calls.stream().map(RecordedCall::toString).toList(), calls.stream().map(RecordedCall::stopReason).toList(),
                    calls.stream().map(RecordedCall::waited).reduce(Duration.ZERO, Duration::plus));
        }
    }

    private static BiConsumer<String, String> webClient(ConfigurableApplicationContext context) {
        WebClient client = context.getBean(WebClient.Builder.class).baseUrl(upstream.url()).build();
        return (name, path) -> {
            try {
                client.get().uri(path).attributes(RetryRequests.client(name)).retrieve().toBodilessEntity().block(Duration.ofSeconds(30));
            }
            catch (WebClientException expected) {
                // a call that stops on a 503 hands it over; the recorder says why
            }
        };
    }

    private static BiConsumer<String, String> restClient(ConfigurableApplicationContext context) {
        RestClient client = context.getBean(RestClient.Builder.class).baseUrl(upstream.url())
            .requestFactory(new JdkClientHttpRequestFactory()).build();
        return (name, path) -> {
            try {
                client.get().uri(path).attributes(RetryRequests.client(name)).retrieve().toBodilessEntity();
            }
            catch (RestClientException expected) {
                // as above
            }
        };
    }

    private static String date(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }

    /** The application's own retry clients, on a fixed wall clock. */
    @Configuration(proxyBeanMethods = false)
    static class Policies {

        @Bean
        RetryClients retryClients() {
            Clock wall = Clock.fixed(NOW, ZoneOffset.UTC);
            Map<String, RetryPolicy> policies = new LinkedHashMap<>();
            policies.put("default", RetryPolicy.builder().jitter(Jitter.NONE).initialDelay(Duration.ofMillis(100)).clock(wall)
                .build());
            policies.put("deadline", RetryPolicy.builder().deadline(Duration.ofMillis(1500)).attemptTimeout(Duration.ofSeconds(1))
                .clock(wall).build());
            policies.put("budget", RetryPolicy.builder().jitter(Jitter.NONE).initialDelay(Duration.ofMillis(100)).budgetRatio(0)
                .budgetMinRetriesPerSecond(1).budgetWindow(Duration.ofSeconds(2)).clock(wall).build());
            return RetryClients.of(policies, wall);
        }
    }
}
