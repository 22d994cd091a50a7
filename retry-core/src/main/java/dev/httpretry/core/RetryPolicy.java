package dev.httpretry.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * When and how long to wait before sending a request again.
 *
 * <p>A policy is immutable and thread-safe, and may be shared by any number of calls. Its
 * {@link #settings() settings} are plain values; each call {@link #start starts} an execution of
 * its own that keeps the call's state and answers every outcome with a decision. The
 * {@link #decide decision} itself is a pure function of the attempt it is given, the policy's random
 * source and clock, and the budget it is handed. Create one with {@link #builder()}; every setting has
 * the default documented in {@link RetrySettings} and in the starter's property table.
 */
public interface RetryPolicy {

    /**
     * Every setting of this policy.
     * @return the settings
     */
    RetrySettings settings();

    /**
     * Classifies what an attempt produced, under this policy's statuses.
     * @param outcome the attempt's outcome
     * @return its category
     */
    Category classify(Outcome outcome);

    /**
     * Decides whether to send another attempt, and after how long.
     *
     * <p>Rules, in order: a success or permanent failure stops; a 500 beyond
     * {@code server-error-retries} or an attempt at {@code max-attempts} stops as exhausted; a
     * method outside {@code methods} without an {@code Idempotency-Key} stops if the request may have
     * reached the server; a request that a connection closed before it was written is sent again at
     * once; otherwise the wait is the backoff delay, lengthened to {@code Retry-After} (which
     * stops the call if above {@code retry-after.max-wait}) and, for a refused connection, to
     * {@code connection-refused-min-delay}; a wait that would not end before the deadline stops;
     * finally the budget must grant the retry. Only a decision to retry takes from the budget.
     * @param attempt the attempt that just ended
     * @param budget the budget to draw from
     * @return retry after a delay, or stop with a reason
     */
    RetryDecision decide(Attempt attempt, RetryBudget budget);

    /**
     * Starts one logical call: the returned execution counts its attempts, keeps its deadline,
     * decides on each outcome and tells the listener of each attempt, wait and the call's end. The
     * budget is credited with the call's first attempt at once.
     * @param client the client's name, for the listener's events
     * @param method the request method
     * @param idempotencyKey whether the request carries an {@code Idempotency-Key} header
     * @param budget the budget the call's retries draw from
     * @param listener told of the call's events
     * @param nanoTime the time source, in nanoseconds, that measures the deadline (a scheduler's
     *     clock, so virtual-time tests stay exact)
     * @return the call's execution, not thread-safe: its owner calls it for one event at a time
     */
    RetryExecution start(String client, String method, boolean idempotencyKey, RetryBudget budget,
            RetryListener listener, LongSupplier nanoTime);

    /**
     * A new budget with this policy's budget settings, or {@link RetryBudget#unlimited()} when the budget is disabled.
     * @param clock the clock that drives the budget's window
     * @return a budget
     */
    RetryBudget newBudget(Clock clock);

    /**
     * New budgets, one per destination, with this policy's budget settings (nothing kept when the budget is disabled).
     * @param clock the clock that drives the budgets' windows
     * @return the budgets of one client
     */
    RetryBudgets newBudgets(Clock clock);

    /**
     * This policy with another limit of attempts (a call's own, from {@link CallOptions}), everything
     * else the same.
     * @param maxAttempts 1 to {@value RetrySettings#MAX_ATTEMPTS_LIMIT}
     * @return the policy; this one when the limit is its own
     * @throws InvalidSettingException if out of range
     */
    default RetryPolicy withMaxAttempts(int maxAttempts) {
        return (maxAttempts == settings().maxAttempts()) ? this : toBuilder().maxAttempts(maxAttempts).build();
    }

    /**
     * A builder that starts from this policy's settings.
     * @return a new builder
     */
    RetryPolicyBuilder toBuilder();

    /**
     * A builder with every setting at its default.
     * @return a new builder
     */
    static RetryPolicyBuilder builder() {
        return new RetryPolicyBuilder();
    }

    /**
     * A policy with every setting at its default.
     * @return the default policy
     */
    static RetryPolicy defaults() {
        return builder().build();
    }
}
