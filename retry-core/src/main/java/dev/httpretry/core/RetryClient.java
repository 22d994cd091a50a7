package dev.httpretry.core;

import java.util.Objects;


/**
 * One named retry client: its effective policy and its own retry budgets. Thread-safe.
 *
 * @param name the client's name ({@value RetryClients#DEFAULT_CLIENT} for the top-level policy)
 * @param policy the effective policy
 * @param budgets the client's budgets, one per destination (scheme, host and port), shared by every call of the client
 * @param enabled whether the client retries at all; a disabled client sends each request once
 */
public record RetryClient(String name, RetryPolicy policy, RetryBudgets budgets, boolean enabled) {

    /** Checks the arguments. */
    public RetryClient {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(budgets, "budgets");
    }
}
