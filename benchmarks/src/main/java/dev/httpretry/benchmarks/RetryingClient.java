package dev.httpretry.benchmarks;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import dev.httpretry.autoconfigure.HttpRetryProperties;
import dev.httpretry.core.RetryClients;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import dev.httpretry.micrometer.RetryMetrics;
import dev.httpretry.client.RetryRequests;
import dev.httpretry.actuate.RetryStatistics;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetryPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * A WebClient on Reactor Netty with the starter's retry filter, built without a Spring context the
 * way the auto-configuration builds it: {@code properties.toClients(clock)} (the policy the
 * {@code http.retry.*} properties give, with one budget driven by the clock) and a
 * {@link RetryExchangeFilterFunction}. Its own connection pool is large enough
 * that every call has a connection, so the client's pool never queues what the server should see.
 */
final class RetryingClient implements AutoCloseable {

    final RetryClients clients;

    final RetryStatistics statistics = new RetryStatistics();

    final WebClient webClient;

    private final ConnectionProvider connections;

    RetryingClient(String baseUrl, HttpRetryProperties properties, Clock budgetClock, int maxConnections) {
        this(baseUrl, properties, budgetClock, maxConnections, null);
    }

    /**
     * A client whose filter also records the starter's Micrometer meters in {@code registry}, when given.
     */
    RetryingClient(String baseUrl, HttpRetryProperties properties, Clock budgetClock, int maxConnections,
            @Nullable MeterRegistry registry) {
        this.clients = properties.toClients(budgetClock);
        this.connections = ConnectionProvider.builder("benchmark")
            .maxConnections(maxConnections)
            .pendingAcquireMaxCount(-1)
            .pendingAcquireTimeout(Duration.ofSeconds(60))
            .build();
        List<RetryListener> listeners = new java.util.ArrayList<>(List.of(this.statistics));
        if (registry != null) {
            listeners.add(new RetryMetrics(registry, this.clients));
        }
        this.webClient = WebClient.builder()
            .baseUrl(baseUrl)
            .clientConnector(new ReactorClientHttpConnector(HttpClient.create(this.connections)))
            .filter(new RetryExchangeFilterFunction(this.clients, RetryListener.composite(listeners)))
            .build();
    }

    /** The effective policy, as the actuator endpoint would show it. */
    RetryPolicy policy() {
        return this.clients.get(RetryClients.DEFAULT_CLIENT).policy();
    }

    /**
     * Opens {@code connections} pooled connections: that many concurrent requests to the server's
     * warm-up path, each held long enough that none can reuse another's connection. They bypass the
     * retry filter ({@link RetryRequests#noRetry()}), so they neither count nor feed the budget.
     * @param connections connections to open
     */
    void openConnections(int connections) {
        Flux.range(0, connections)
            .flatMap((i) -> this.webClient.get()
                .uri(LoopbackServer.WARM_UP_PATH)
                .attributes(RetryRequests.noRetry())
                .retrieve()
                .toBodilessEntity(), connections)
            .blockLast(Duration.ofSeconds(60));
    }

    /** One GET of {@code /}; emits {@code true} for a 2xx, {@code false} for a final error status. */
    Mono<Boolean> get() {
        return this.webClient.get()
            .uri("/")
            .retrieve()
            .toBodilessEntity()
            .map((entity) -> entity.getStatusCode().is2xxSuccessful())
            .onErrorResume(WebClientResponseException.class, (ex) -> Mono.just(false));
    }

    RetryStatistics.Snapshot snapshot() {
        return this.statistics.snapshot(RetryClients.DEFAULT_CLIENT);
    }

    @Override
    public void close() {
        this.connections.disposeLater().block(Duration.ofSeconds(10));
    }
}
