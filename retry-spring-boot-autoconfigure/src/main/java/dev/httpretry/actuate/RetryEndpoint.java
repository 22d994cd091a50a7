package dev.httpretry.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.httpretry.core.RetryBudgets;
import dev.httpretry.core.RetryClient;
import dev.httpretry.core.RetryClients;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
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

    /** The most destinations listed per client: those with the least budget left. */
    public static final int MAX_DESTINATIONS_SHOWN = 20;

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
     * @return every client by name, {@code default} first
     */
    @ReadOperation
    public ClientsDescriptor clients() {
        Map<String, ClientDescriptor> all = new LinkedHashMap<>();
        for (String name : this.clients.names()) {
            all.put(name, describe(this.clients.get(name)));
        }
        return new ClientsDescriptor(all);
    }

    /**
     * One client.
     * @param client the client's name
     * @return its policy and state, or {@code null} (404) if there is no such client
     */
    @ReadOperation
    public @Nullable ClientDescriptor client(@Selector String client) {
        RetryClient found = this.clients.find(client);
        return (found != null) ? describe(found) : null;
    }

    private ClientDescriptor describe(RetryClient client) {
        RetryStatistics.Snapshot snapshot = this.statistics.snapshot(client.name());
        Map<String, Long> byReason = new LinkedHashMap<>();
        snapshot.calls().forEach((reason, count) -> byReason.put(reason.tagValue(), count));
        CallsDescriptor calls = new CallsDescriptor(snapshot.totalCalls(), snapshot.successfulCalls(),
                snapshot.totalCalls() - snapshot.successfulCalls(), byReason);
        RetryBudgets budgets = client.budgets();
        long available = budgets.leastAvailable();
        List<DestinationDescriptor> destinations = budgets.snapshot(MAX_DESTINATIONS_SHOWN).stream()
            .map((destination) -> new DestinationDescriptor(destination.destination(), destination.available()))
            .toList();
        List<LearnedDescriptor> learned = client.learned().snapshot(MAX_DESTINATIONS_SHOWN).stream()
            .map((destination) -> new LearnedDescriptor(destination.destination(), destination.rate(), destination.sendingRate(),
                    destination.hedgeDelayMillis(), destination.latencies()))
            .toList();
        StateDescriptor state = new StateDescriptor(calls, snapshot.attempts(), snapshot.waits(),
                (available == Long.MAX_VALUE) ? null : available, budgets.size(), destinations, learned);
        return new ClientDescriptor(client.name(), client.enabled(), client.policy().settings().describe(), state);
    }

    /**
     * Every client.
     * @param clients each client by name
     */
    public record ClientsDescriptor(Map<String, ClientDescriptor> clients) implements OperationResponseBody {
    }

    /**
     * One client.
     * @param name its name
     * @param enabled whether it retries at all
     * @param policy its effective settings, keyed by property name
     * @param state its live counts since start-up
     */
    public record ClientDescriptor(String name, boolean enabled, Map<String, Object> policy, StateDescriptor state)
            implements OperationResponseBody {
    }

    /**
     * A client's live counts.
     * @param calls the calls that ended
     * @param attempts the attempts sent
     * @param retries the waits started before a retry
     * @param budgetAvailable the retries its budget would grant now, the least among its destinations,
     *     or {@code null} without a budget
     * @param budgetDestinations how many destinations it keeps a budget for
     * @param destinations the destinations with the least budget left, at most {@value #MAX_DESTINATIONS_SHOWN}, lowest first
     * @param learned what it learned of each destination ({@code adaptive.enabled}, {@code hedging.delay: auto}),
     *     at most {@value #MAX_DESTINATIONS_SHOWN}, by destination; empty when it learns nothing
     */
    public record StateDescriptor(CallsDescriptor calls, long attempts, long retries,
            @JsonProperty("budget-available") @Nullable Long budgetAvailable,
            @JsonProperty("budget-destinations") int budgetDestinations, List<DestinationDescriptor> destinations,
            List<LearnedDescriptor> learned) {
    }

    /**
     * What a client learned of one destination.
     * @param destination its scheme, host and port
     * @param rate the send rate its attempts are given, per second; {@code null} while nothing waits
     *     (it has not pushed back yet, or the client does not learn rates)
     * @param sendingRate the rate its attempts went out at lately, per second; {@code null} when the client does not learn rates
     * @param hedgeDelayMillis the hedging delay its calls get now, with {@code hedging.delay: auto}; else {@code null}
     * @param latencies how many recent latencies that delay is read from
     */
    public record LearnedDescriptor(String destination, @Nullable Double rate, @JsonProperty("sending-rate") @Nullable Double sendingRate,
            @JsonProperty("hedge-delay-ms") @Nullable Double hedgeDelayMillis, int latencies) {
    }

    /**
     * One destination's budget.
     * @param destination its scheme, host and port
     * @param available the retries its budget would grant now
     */
    public record DestinationDescriptor(String destination, @JsonProperty("budget-available") long available) {
    }

    /**
     * The calls that ended.
     * @param total all of them
     * @param success those that succeeded
     * @param failure those that did not
     * @param byReason by stop reason ({@code none} is a success)
     */
    public record CallsDescriptor(long total, long success, long failure, @JsonProperty("by-reason") Map<String, Long> byReason) {
    }
}
