package dev.httpretry.core;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * One named retry client: its effective policy and its own retry budgets. Thread-safe.
 *
 * <p>{@link #start} is the one way into core for every client type: the rules that read the
 * request (which budget, whether an {@code Idempotency-Key} makes an unsafe method safe) live here.
 *
 * @param name the client's name ({@value RetryClients#DEFAULT_CLIENT} for the top-level policy)
 * @param policy the effective policy
 * @param budgets the client's budgets, one per destination (scheme, host and port), shared by every call of the client
 * @param enabled whether the client retries at all; a disabled client sends each request once
 * @param learned what the client learns per destination (a send rate, latencies), perhaps nothing
 */
public record RetryClient(String name, RetryPolicy policy, RetryBudgets budgets, boolean enabled, LearnedDestinations learned) {

    /** The request header that makes a request outside {@code methods} safe to send again. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    /** Checks the arguments. */
    public RetryClient {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(budgets, "budgets");
        Objects.requireNonNull(learned, "learned");
    }

    /**
     * A client that learns what its policy's settings say, on the system's monotonic time.
     * @param name the client's name
     * @param policy the effective policy
     * @param budgets the client's budgets
     * @param enabled whether the client retries at all
     */
    public RetryClient(String name, RetryPolicy policy, RetryBudgets budgets, boolean enabled) {
        this(name, policy, budgets, enabled, LearnedDestinations.of(policy.settings(), System::nanoTime));
    }

    /**
     * Starts one logical call of this client: its budget is its destination's (scheme, host and port
     * of {@code uri}), and a method outside {@code methods} may be sent again once it reached the
     * server only with an {@code Idempotency-Key} ({@link #hasIdempotencyKey}).
     * @param method the request method
     * @param uri the request's URI
     * @param headers the request's headers
     * @param listener told of the call's events, through its {@link RetryListener#forCall own for the call}
     * @param nanoTime the time source of the deadline, in nanoseconds (a scheduler's clock, so virtual time stays exact)
     * @return the call's execution, which its adapter reports to one event at a time
     */
    public RetryExecution start(String method, URI uri, HeaderLookup headers, RetryListener listener, LongSupplier nanoTime) {
        return start(method, uri, headers, CallOptions.NONE, listener, nanoTime);
    }

    /**
     * Starts one logical call of this client with options of its own: its limit of attempts, and
     * whether it is idempotent whatever its method (as with an {@code Idempotency-Key}).
     * @param method the request method
     * @param uri the request's URI
     * @param headers the request's headers
     * @param options what the call changes of the policy
     * @param listener told of the call's events, through its {@link RetryListener#forCall own for the call}
     * @param nanoTime the time source of the deadline, in nanoseconds
     * @return the call's execution
     */
    public RetryExecution start(String method, URI uri, HeaderLookup headers, CallOptions options, RetryListener listener,
            LongSupplier nanoTime) {
        RetryPolicy policy = (options.maxAttempts() != 0) ? this.policy.withMaxAttempts(options.maxAttempts()) : this.policy;
        // the key changes no decision for a method in methods, so it is looked up only otherwise
        boolean keyed = options.idempotent() || (!policy.settings().methods().contains(method) && hasIdempotencyKey(headers));
        RetryBudget budget = this.budgets.forDestination(String.valueOf(uri.getScheme()), String.valueOf(uri.getHost()), uri.getPort());
        RetryExecution execution = policy.start(this.name, method, keyed, budget, listener.forCall(this.name, method, uri), nanoTime);
        if (this.learned.enabled()) {
            execution.learning = this.learned.forCall(String.valueOf(uri.getScheme()), String.valueOf(uri.getHost()), uri.getPort());
        }
        return execution;
    }

    /**
     * Whether a request carries an {@code Idempotency-Key} a server can de-duplicate with: exactly one
     * value, not blank, and not a list (no comma). An empty key, or two, is no key.
     * @param headers the request's headers
     * @return {@code true} for one usable key
     */
    public static boolean hasIdempotencyKey(HeaderLookup headers) {
        List<String> values = headers.values(IDEMPOTENCY_KEY);
        if (values == null || values.size() != 1) {
            return false;
        }
        @Nullable String key = values.get(0);
        return key != null && !key.isBlank() && key.indexOf(',') < 0;
    }
}
