package dev.httpretry.benchmarks.soak;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import dev.httpretry.actuate.RetryStatistics;
import dev.httpretry.autoconfigure.HttpRetryProperties;
import dev.httpretry.core.Jitter;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import dev.httpretry.micrometer.RetryMetrics;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The client under soak: a {@link WebClient} over a bounded connection pool with metrics, with the
 * starter's {@link RetryExchangeFilterFunction} set up through its own properties, and what counts
 * the filter's work (its statistics, its meters, the soak's listener) so the counts can be checked
 * against each other. Reactor Netty's own retry stays on, as in the client Boot builds with the
 * starter: it sends a request again only when nothing of it was written, so no call reaches the
 * server more often than its attempts went there.
 */
final class SoakClient {

    private final ConnectionProvider pool;

    private final RetryClients clients;

    private final Map<String, ConnectionPoolMetrics> poolMetrics = new ConcurrentHashMap<>();

    private final RetryStatistics statistics = new RetryStatistics();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final CallTally tally = new CallTally();

    private final WebClient client;

    /**
     * Builds the pool and the client.
     * @param settings the soak's knobs
     * @param baseUrl the chaos server's URL
     * @param above the filter above the retry filter, which sees what it hands up
     * @param below the filter below the retry filter, which sees every attempt
     */
    SoakClient(SoakSettings settings, String baseUrl, ExchangeFilterFunction above, ExchangeFilterFunction below) {
        this.pool = ConnectionProvider.builder("chaos-soak")
            .maxConnections(settings.concurrency())
            .pendingAcquireTimeout(Duration.ofSeconds(5))
            .metrics(true, () -> (poolName, id, remoteAddress, metrics) -> this.poolMetrics.put(id + " " + remoteAddress, metrics))
            .build();
        RetryClients clients = properties(settings).toClients(Clock.systemUTC());
        this.clients = clients;
        RetryListener listeners = RetryListener.composite(
                List.of(this.statistics, new RetryMetrics(this.registry, clients), this.tally));
        this.client = WebClient.builder()
            .baseUrl(baseUrl)
            .clientConnector(new ReactorClientHttpConnector(HttpClient.create(this.pool)))
            .filter(above)
            .filter(new RetryExchangeFilterFunction(clients, listeners))
            .filter(below)
            .build();
    }

    /** The policy the soak runs under, set through the starter's own properties. */
    static HttpRetryProperties properties(SoakSettings settings) {
        HttpRetryProperties properties = new HttpRetryProperties();
        properties.setMaxAttempts(settings.maxAttempts());
        properties.getBackoff().setInitialDelay(settings.initialDelay());
        properties.getBackoff().setMultiplier(2.0);
        properties.getBackoff().setMaxDelay(settings.maxDelay());
        properties.getBackoff().setJitter(Jitter.FULL);
        properties.setAttemptTimeout(settings.attemptTimeout());
        properties.setDeadline(settings.deadline());
        properties.setConnectionRefusedMinDelay(settings.connectionRefusedMinDelay());
        properties.getBudget().setEnabled(true);
        properties.getBudget().setRatio(settings.budgetRatio());
        properties.getBudget().setMinRetriesPerSecond(settings.budgetMinRetriesPerSecond());
        if (!settings.hedgingDelay().isZero()) {
            properties.getHedging().setEnabled(true);
            properties.getHedging().setDelay(settings.hedgingDelay().toMillis() + "ms");
        }
        return properties;
    }

    WebClient webClient() {
        return this.client;
    }

    CallTally tally() {
        return this.tally;
    }

    /** The filter's {@link RetryStatistics} for the soak's calls, as they stand. */
    RetryStatistics.Snapshot statistics() {
        return this.statistics.snapshot(RetryClients.DEFAULT_CLIENT);
    }

    /** The sum of the {@value RetryMetrics#CALLS} counters. */
    double meteredCalls() {
        return this.registry.find(RetryMetrics.CALLS).counters().stream().mapToDouble((c) -> c.count()).sum();
    }

    /** The {@value RetryMetrics#HEDGES} counters by outcome (won, lost, refused). */
    Map<String, Long> hedges() {
        Map<String, Long> hedges = new TreeMap<>();
        this.registry.find(RetryMetrics.HEDGES).counters()
            .forEach((counter) -> hedges.merge(String.valueOf(counter.getId().getTag("outcome")), (long) counter.count(), Long::sum));
        return hedges;
    }

    /** Connections the pools hand out right now, over every remote address (the server's and the closed port's). */
    int acquiredConnections() {
        return this.poolMetrics.values().stream().mapToInt(ConnectionPoolMetrics::acquiredSize).sum();
    }

    /** The connection pools the client created, one per remote address. */
    int pools() {
        return this.poolMetrics.size();
    }

    /** The destinations the retry filter keeps a budget for. */
    int destinations() {
        return this.clients.get(RetryClients.DEFAULT_CLIENT).budgets().size();
    }

    /** Disposes of the pool, and so closes its connections. */
    void close() {
        this.pool.disposeLater().block(Duration.ofSeconds(10));
    }
}
