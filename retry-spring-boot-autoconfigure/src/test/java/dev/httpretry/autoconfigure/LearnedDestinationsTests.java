package dev.httpretry.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import dev.httpretry.core.LearnedDestination;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryThrottledException;
import dev.httpretry.micrometer.RetryMetrics;
import dev.httpretry.testing.TestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClient;

import static dev.httpretry.testing.TestServer.Reply.delayed;
import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Destinations that learn, from the properties, against a real server: {@code adaptive.enabled}
 * cuts a destination's rate under a 429 storm and lets it climb back as it answers, attempts then wait
 * for their turn (timed by {@value RetryMetrics#THROTTLE_WAIT}), and a call whose turn would come after
 * its deadline fails at once, {@code throttled}, without a request; {@code hedging.delay: auto} follows
 * the destination's latency. The rates' arithmetic is {@code AdaptiveRateTests}', on a clock the test moves.
 */
class LearnedDestinationsTests {

    private final TestServer server = new TestServer();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ImperativeHttpClientAutoConfiguration.class, RestClientAutoConfiguration.class,
                WebClientAutoConfiguration.class, HttpRetryAutoConfiguration.class, HttpRetryWebClientAutoConfiguration.class,
                HttpRetryRestClientAutoConfiguration.class, HttpRetryMetricsAutoConfiguration.class))
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("http.retry.backoff.initial-delay=1ms", "http.retry.backoff.max-delay=2ms", "http.retry.budget.enabled=false",
                "spring.http.clients.imperative.factory=reactor");

    @AfterEach
    void close() {
        this.server.close();
    }

    @Test
    void aStormOf429sCutsTheRateWhichClimbsBackAsTheDestinationAnswers() {
        this.runner.withPropertyValues("http.retry.adaptive.enabled=true", "http.retry.max-attempts=1").run((context) -> {
            RestClient client = context.getBean(RestClient.Builder.class).baseUrl(this.server.url()).build();
            Supplier<Integer> call = () -> {
                try {
                    return client.get().uri("/items").retrieve().toBodilessEntity().getStatusCode().value();
                }
                catch (RestClientResponseException ex) {
                    return ex.getStatusCode().value();
                }
            };
            this.server.otherwise(status(200));
            for (int i = 0; i < 50; i++) {
                call.get();
            }
            assertThat(learned(context).rate()).as("nothing waits before a pushback").isNull();

            this.server.then(status(429), status(429), status(429), status(429), status(429));
            for (int i = 0; i < 5; i++) {
                assertThat(call.get()).isEqualTo(429);
            }
            double cut = Objects.requireNonNull(learned(context).rate());
            assertThat(cut).isPositive().isLessThan(Objects.requireNonNull(learned(context).sendingRate()));

            long end = System.nanoTime() + Duration.ofMillis(1_500).toNanos();
            while (System.nanoTime() < end) {
                assertThat(call.get()).isEqualTo(200);
            }
            assertThat(learned(context).rate()).as("climbing back as the destination answers").isGreaterThan(cut);
            assertThat(context.getBean(MeterRegistry.class).get(RetryMetrics.THROTTLE_WAIT).tag("client", "default").timer().count())
                .as("attempts waited for their turn").isPositive();
        });
    }

    @Test
    void aCallWhoseTurnWouldComeAfterItsDeadlineFailsAtOnceWithoutARequest() {
        this.runner.withPropertyValues("http.retry.adaptive.enabled=true", "http.retry.max-attempts=1", "http.retry.deadline=300ms",
                "http.retry.attempt-timeout=300ms").run((context) -> {
            WebClient web = context.getBean(WebClient.Builder.class).baseUrl(this.server.url()).build();
            RestClient rest = context.getBean(RestClient.Builder.class).baseUrl(this.server.url()).build();
            // 503s at about 20 a second: the rate is cut to about 14 a second
            this.server.otherwise(status(503));
            for (int i = 0; i < 20; i++) {
                web.get().uri("/busy").retrieve().toBodilessEntity().onErrorResume((error) -> Mono.empty()).block();
                Mono.delay(Duration.ofMillis(50)).block();
            }
            assertThat(learned(context).rate()).isNotNull().isLessThan(30.0);
            this.server.otherwise(status(200));
            int before = this.server.requests();

            // 30 calls at once: about 300 ms of turns fit before their deadline, the rest fail at once
            List<Object> outcomes = Flux.range(0, 30)
                .flatMap((i) -> web.get().uri("/crowd").retrieve().toBodilessEntity()
                    .map((entity) -> (Object) entity.getStatusCode().value())
                    .onErrorResume((error) -> Mono.just(error)), 30)
                .collectList().block(Duration.ofSeconds(5));
            List<Throwable> throttled = new ArrayList<>();
            for (Object outcome : Objects.requireNonNull(outcomes)) {
                if (outcome instanceof Throwable error) {
                    assertThat(error).isInstanceOf(RetryThrottledException.class).hasMessageContaining("not sent");
                    throttled.add(error);
                }
            }
            assertThat(throttled).hasSizeGreaterThanOrEqualTo(15);
            assertThat(this.server.requests() - before).as("a throttled call sends nothing").isEqualTo(30 - throttled.size());
            assertThat(context.getBean(MeterRegistry.class).get(RetryMetrics.CALLS).tag("reason", "throttled").counters())
                .isNotEmpty();

            // RestClient alike, from the same destination's rate: its exception is an I/O error
            List<Throwable> restThrottled = Flux.range(0, 30).flatMap((i) -> Mono.fromCallable(() -> rest.get().uri("/crowd")
                .retrieve().toBodilessEntity()).then(Mono.<Throwable>empty())
                .onErrorResume((error) -> Mono.just(error))
                .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()), 30)
                .collectList().block(Duration.ofSeconds(5));
            assertThat(restThrottled).isNotEmpty().allSatisfy((error) -> assertThat(error).isInstanceOf(ResourceAccessException.class)
                .hasCauseInstanceOf(RetryThrottledException.class));
        });
    }

    @Test
    void anAutomaticHedgingDelayFollowsTheDestinationsLatency() {
        this.runner.withPropertyValues("http.retry.hedging.enabled=true", "http.retry.hedging.delay=auto",
                "http.retry.hedging.min-delay=5ms").run((context) -> {
            assertThat(context.getBean(RetryClients.class).get("default").policy().settings().hedging().autoDelay()).isTrue();
            this.server.otherwise(delayed(Duration.ofMillis(10), status(200)));
            // a first call is slow (a connection, code warming up): warm up through another destination, the same server by name
            calls(context.getBean(WebClient.Builder.class).baseUrl("http://localhost:" + this.server.port()).build(), 60);
            WebClient web = context.getBean(WebClient.Builder.class).baseUrl(this.server.url()).build();
            calls(web, 60);
            Double fast = learned(context).hedgeDelayMillis();
            // the destination takes 10 ms; a busy machine adds to it, so the bound is loose
            assertThat(fast).as("about the 10 ms the destination takes").isNotNull().isBetween(9.0, 100.0);

            this.server.otherwise(delayed(Duration.ofMillis(200), status(200)));
            calls(web, 120);
            assertThat(learned(context).hedgeDelayMillis()).as("the destination slowed to 200 ms").isGreaterThan(150.0);
        });
    }

    /** {@code count} GETs, ten at a time. */
    private static void calls(WebClient web, int count) {
        Flux.range(0, count).flatMap((i) -> web.get().uri("/slow").retrieve().toBodilessEntity(), 10).blockLast(Duration.ofSeconds(30));
    }

    private LearnedDestination learned(AssertableApplicationContext context) {
        List<LearnedDestination> learned = context.getBean(RetryClients.class).get("default").learned().snapshot(10).stream()
            .filter((destination) -> destination.destination().equals("http://127.0.0.1:" + this.server.port()))
            .toList();
        assertThat(learned).hasSize(1);
        return learned.get(0);
    }
}
