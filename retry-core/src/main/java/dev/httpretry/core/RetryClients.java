package dev.httpretry.core;

import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Every retry client of the application by name: {@value #DEFAULT_CLIENT} (the top-level policy)
 * and each {@code http.retry.clients.<name>}, each with its policy and its budget. Immutable and thread-safe.
 */
public final class RetryClients {

    /** The name of the client that holds the top-level policy. */
    public static final String DEFAULT_CLIENT = "default";

    private final Map<String, RetryClient> clients;

    private RetryClients(Map<String, RetryClient> clients) {
        this.clients = Collections.unmodifiableMap(new LinkedHashMap<>(clients));
    }

    /**
     * Clients with these policies, each with a budget of its own.
     * @param policies the policies by client name; must include {@value #DEFAULT_CLIENT}
     * @param clock the clock that drives the budgets
     * @return the clients
     */
    public static RetryClients of(Map<String, RetryPolicy> policies, Clock clock) {
        return of(policies, Set.of(), clock);
    }

    /**
     * Clients with these policies, each with a budget of its own; the disabled ones send each request once.
     * @param policies the policies by client name; must include {@value #DEFAULT_CLIENT}
     * @param disabled the names of the clients that do not retry
     * @param clock the clock that drives the budgets
     * @return the clients
     * @throws IllegalArgumentException if there is no {@value #DEFAULT_CLIENT} policy
     */
    public static RetryClients of(Map<String, RetryPolicy> policies, Set<String> disabled, Clock clock) {
        if (!policies.containsKey(DEFAULT_CLIENT)) {
            throw new IllegalArgumentException("No policy for the '" + DEFAULT_CLIENT + "' client among " + policies.keySet());
        }
        Map<String, RetryClient> clients = new LinkedHashMap<>();
        // the learned rates and latencies measure intervals: on a monotonic clock, nanoseconds; on another (tests), its millis
        LongSupplier nanoTime = (clock instanceof MonotonicClock) ? System::nanoTime : () -> clock.millis() * 1_000_000L;
        policies.forEach((name, policy) -> clients.put(name, new RetryClient(name, policy, policy.newBudgets(clock),
                !disabled.contains(name), LearnedDestinations.of(policy.settings(), nanoTime))));
        return new RetryClients(clients);
    }

    /**
     * The client with this name.
     * @param name the client's name
     * @return the client, or {@code null} if there is none of that name
     */
    public @Nullable RetryClient find(String name) {
        return this.clients.get(name);
    }

    /**
     * The client with this name.
     * @param name the client's name
     * @return the client
     * @throws IllegalArgumentException if there is none of that name
     */
    public RetryClient get(String name) {
        RetryClient client = find(name);
        if (client == null) {
            throw new IllegalArgumentException("No retry client named '" + name + "'; the clients are " + names());
        }
        return client;
    }

    /**
     * The names of all clients, {@value #DEFAULT_CLIENT} first.
     * @return the names
     */
    public Set<String> names() {
        return this.clients.keySet();
    }
}
