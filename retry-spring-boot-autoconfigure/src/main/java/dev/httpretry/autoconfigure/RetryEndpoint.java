package dev.httpretry.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.httpretry.core.Backoff;
import dev.httpretry.core.Durations;
import dev.httpretry.core.RetryPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code retry} actuator endpoint: every client's effective policy and live state.
 * {@code GET /actuator/retry} lists all clients; {@code GET /actuator/retry/{client}} shows one
 * (404 for an unknown name). Settings are keyed by their property names and durations are shown
 * as configured ({@code 250ms}, {@code 2s}).
 */
@Endpoint(id = "retry")
public class RetryEndpoint {

    private final RetryClients clients;

    private final RetryStatistics statistics;

    /**
     * Creates the endpoint.
     * @param clients the clients to show
     * @param statistics their live counts
     */
    public RetryEndpoint(RetryClients clients, RetryStatistics statistics) {
        this.clients = clients;
        this.statistics = statistics;
    }

    /**
     * All clients.
     * @return {@code {"clients": {name: client, ...}}}
     */
    @ReadOperation
    public Map<String, Object> clients() {
        Map<String, Object> all = new LinkedHashMap<>();
        for (String name : this.clients.names()) {
            all.put(name, describe(this.clients.get(name)));
        }
        return Map.of("clients", all);
    }

    /**
     * One client.
     * @param client the client's name
     * @return its policy and state, or {@code null} (404) if there is no such client
     */
    @ReadOperation
    public @Nullable Map<String, Object> client(@Selector String client) {
        RetryClient found = this.clients.find(client);
        return (found != null) ? describe(found) : null;
    }

    private Map<String, Object> describe(RetryClient client) {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("name", client.name());
        description.put("enabled", client.enabled());
        description.put("policy", policy(client.policy()));
        description.put("state", state(client));
        return description;
    }

    private static Map<String, Object> policy(RetryPolicy policy) {
        Backoff backoff = policy.backoff();
        Map<String, Object> backoffSettings = new LinkedHashMap<>();
        backoffSettings.put("initial-delay", Durations.format(backoff.initialDelay()));
        backoffSettings.put("multiplier", backoff.multiplier());
        backoffSettings.put("max-delay", Durations.format(backoff.maxDelay()));
        backoffSettings.put("jitter", backoff.jitter().configName());
        Map<String, Object> retryAfter = new LinkedHashMap<>();
        retryAfter.put("enabled", policy.retryAfterEnabled());
        retryAfter.put("max-wait", Durations.format(policy.retryAfterMaxWait()));
        Map<String, Object> budget = new LinkedHashMap<>();
        budget.put("enabled", policy.budgetEnabled());
        budget.put("ratio", policy.budgetRatio());
        budget.put("min-retries-per-second", policy.budgetMinRetriesPerSecond());
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("max-attempts", policy.maxAttempts());
        settings.put("backoff", backoffSettings);
        settings.put("attempt-timeout", Durations.format(policy.attemptTimeout()));
        settings.put("deadline", Durations.format(policy.deadline()));
        settings.put("retry-after", retryAfter);
        settings.put("statuses", policy.statuses());
        settings.put("server-error-retries", policy.serverErrorRetries());
        settings.put("connection-refused-min-delay", Durations.format(policy.connectionRefusedMinDelay()));
        settings.put("methods", policy.methods());
        settings.put("budget", budget);
        return settings;
    }

    private Map<String, Object> state(RetryClient client) {
        RetryStatistics.Snapshot snapshot = this.statistics.snapshot(client.name());
        Map<String, Object> byReason = new LinkedHashMap<>();
        snapshot.calls().forEach((reason, count) -> byReason.put(reason.tagValue(), count));
        Map<String, Object> calls = new LinkedHashMap<>();
        calls.put("total", snapshot.totalCalls());
        calls.put("success", snapshot.successfulCalls());
        calls.put("failure", snapshot.totalCalls() - snapshot.successfulCalls());
        calls.put("by-reason", byReason);
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("calls", calls);
        state.put("attempts", snapshot.attempts());
        state.put("retries", snapshot.waits());
        long available = client.budget().available();
        state.put("budget-available", (available == Long.MAX_VALUE) ? null : available);
        return state;
    }
}
