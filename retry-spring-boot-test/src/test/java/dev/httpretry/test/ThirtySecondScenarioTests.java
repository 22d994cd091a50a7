package dev.httpretry.test;

import java.time.Duration;
import java.util.function.Supplier;

import dev.httpretry.core.DelaySource;
import dev.httpretry.core.StopReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.registry.HttpServiceGroup;
import org.springframework.web.service.registry.ImportHttpServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scenario that waits 30 seconds in real time (three {@code 503}s with {@code Retry-After: 10})
 * runs in a test at once with {@code skip-waits}, ends the same way, and is recorded with its 30 s
 * of waits: through the auto-configured WebClient and RestClient builders, a named client, and HTTP
 * service groups of both client types, with the faults injected below the retry layer.
 */
@SpringBootTest(classes = { TestApp.class, ThirtySecondScenarioTests.Groups.class },
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = { "http.retry.testing.skip-waits=true", "http.retry.deadline=60s", "http.retry.attempt-timeout=5s",
                "spring.http.clients.imperative.factory=jdk" })
class ThirtySecondScenarioTests {

    static final Upstream upstream = new Upstream();

    @DynamicPropertySource
    static void urls(DynamicPropertyRegistry registry) {
        registry.add("http.retry.clients.payments.base-url", upstream::url);
        registry.add("spring.http.serviceclient.catalog.base-url", upstream::url);
        registry.add("spring.http.serviceclient.stock.base-url", upstream::url);
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
    WebClient.Builder webClients;

    @Autowired
    RestClient.Builder restClients;

    @Autowired
    @Qualifier("payments")
    WebClient payments;

    @Autowired
    Catalog catalog;

    @Autowired
    Stock stock;

    @Test
    void throughTheWebClientBuilder() {
        WebClient client = this.webClients.baseUrl(upstream.url()).build();
        thirtySeconds("default", () -> client.get().uri("/orders/1").retrieve().bodyToMono(String.class).block());
    }

    @Test
    void throughTheRestClientBuilder() {
        RestClient client = this.restClients.baseUrl(upstream.url()).build();
        thirtySeconds("default", () -> client.get().uri("/orders/1").retrieve().body(String.class));
    }

    @Test
    void throughANamedClient() {
        thirtySeconds("payments", () -> this.payments.get().uri("/charges/1").retrieve().bodyToMono(String.class).block());
    }

    @Test
    void throughARestClientServiceGroup() {
        thirtySeconds("catalog", () -> this.catalog.item("1"));
    }

    @Test
    void throughAWebClientServiceGroup() {
        thirtySeconds("stock", () -> this.stock.level("1").block());
    }

    private void thirtySeconds(String client, Supplier<String> call) {
        this.faults.forClient(client).next(3).respond(503, "Retry-After", "10");
        long start = System.nanoTime();

        assertThat(call.get()).isEqualTo("ok");

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        this.recorder.lastCall(client).check()
            .attempts(4)
            .statuses(503, 503, 503, 200)
            .waits(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10))
            .waited(Duration.ofSeconds(10), DelaySource.RETRY_AFTER)
            .waitedInAll(Duration.ofSeconds(30))
            .ended(StopReason.NONE);
        assertThat(this.faults.injected()).isEqualTo(3);
        // 30 s of waits in real time; a bound loose enough for any machine, and far below them
        assertThat(took).isLessThan(Duration.ofSeconds(10));
    }

    interface Catalog {

        @GetExchange("/items/{id}")
        String item(@PathVariable String id);
    }

    interface Stock {

        @GetExchange("/stock/{id}")
        Mono<String> level(@PathVariable String id);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportHttpServices(group = "catalog", types = Catalog.class, clientType = HttpServiceGroup.ClientType.REST_CLIENT)
    @ImportHttpServices(group = "stock", types = Stock.class, clientType = HttpServiceGroup.ClientType.WEB_CLIENT)
    static class Groups {
    }
}
