package dev.httpretry.core;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * A client's retry budgets, one per destination (scheme, host and port), so that an outage of one
 * host never spends the retries of another. A destination's budget is created when the destination
 * is first asked for. At most {@link #maxDestinations()} budgets are kept: when one more is needed,
 * the least recently used is dropped, and a dropped destination starts afresh when it comes back.
 *
 * <p>Thread-safe. The hot path, {@link #forDestination(String)} for a destination already kept, is
 * a {@link ConcurrentHashMap} lookup; it takes no lock when the destination is already the most
 * recently used one (the common case of a client that talks to one host), and otherwise a short
 * lock that moves it to the recent end of an access-ordered list (O(1)). A new destination is
 * added, and the least recently used one dropped, under that lock, also in O(1). Under concurrent
 * use the order is that in which threads took the lock; a thread that races the eviction of its
 * destination may use the dropped budget for that one call.
 *
 * <p>When budgets are disabled ({@link #disabled()}), every destination shares
 * {@link RetryBudget#unlimited()} and nothing is stored.
 */
public final class RetryBudgets {

    /** The most destinations kept by default: {@value}. */
    public static final int DEFAULT_MAX_DESTINATIONS = 1000;

    private static final Comparator<DestinationBudget> LOWEST_FIRST = Comparator.comparingLong(DestinationBudget::available)
            .thenComparing(DestinationBudget::destination);

    private static final RetryBudgets DISABLED = new RetryBudgets(null, 1);

    private final @Nullable Function<String, RetryBudget> factory;

    private final int maxDestinations;

    private final LruDestinationMap<RetryBudget> budgets;

    private RetryBudgets(@Nullable Function<String, RetryBudget> factory, int maxDestinations) {
        if (maxDestinations < 1) {
            throw new InvalidSettingException("budget.max-destinations", String.valueOf(maxDestinations), "must be at least 1");
        }
        this.factory = factory;
        this.maxDestinations = maxDestinations;
        this.budgets = new LruDestinationMap<>(maxDestinations, factory == null ? 1 : Math.min(maxDestinations, 1024));
    }

    /**
     * Budgets made by a factory, one per destination.
     * @param factory makes the budget of a destination, given its key; called under a lock, so it must
     *     be quick and must not call back into these budgets. It is also called with the empty string
     *     by {@link #leastAvailable()}, to learn what a fresh budget grants, and that budget is not kept.
     * @param maxDestinations the most destinations kept, at least 1 ({@value #DEFAULT_MAX_DESTINATIONS} by default)
     * @return the budgets
     * @throws InvalidSettingException if {@code maxDestinations} is below 1
     * @throws NullPointerException if {@code factory} is {@code null}
     */
    public static RetryBudgets of(Function<String, RetryBudget> factory, int maxDestinations) {
        return new RetryBudgets(Objects.requireNonNull(factory, "factory"), maxDestinations);
    }

    /**
     * A {@linkplain RetryBudget#windowed(double, int, Clock) windowed} budget per destination.
     * @param ratio the fraction of first attempts that may be retried, 0 to 1000
     * @param minRetriesPerSecond the floor, zero or positive
     * @param clock the clock that drives the windows
     * @param maxDestinations the most destinations kept, at least 1 ({@value #DEFAULT_MAX_DESTINATIONS} by default)
     * @return the budgets
     * @throws InvalidSettingException if a value is out of range (checked now, not at the first destination)
     * @throws NullPointerException if {@code clock} is {@code null}
     */
    public static RetryBudgets windowed(double ratio, int minRetriesPerSecond, Clock clock, int maxDestinations) {
        Objects.requireNonNull(clock, "clock");
        RetryBudget.windowed(ratio, minRetriesPerSecond, clock); // validates the settings
        return new RetryBudgets(destination -> RetryBudget.windowed(ratio, minRetriesPerSecond, clock), maxDestinations);
    }

    /**
     * No budgets: every destination gets {@link RetryBudget#unlimited()}, and nothing is stored.
     * @return the shared instance
     */
    public static RetryBudgets disabled() {
        return DISABLED;
    }

    /**
     * The key of a destination, such as {@code https://api.example.com:443}: scheme and host in lower
     * case, the port filled in for {@code http}/{@code ws} (80) and {@code https}/{@code wss} (443)
     * when it is {@code -1} (as {@link java.net.URI#getPort()} reports a missing port). A missing port
     * of another scheme is left out ({@code ftp://host}). An IPv6 literal is put in brackets.
     * Pure function, thread-safe.
     * @param scheme the scheme, such as {@code https}
     * @param host the host name or address, such as {@code api.example.com}
     * @param port the port, or {@code -1} when the URI names none
     * @return the key
     * @throws IllegalArgumentException if {@code port} is neither -1 nor 0 to 65535
     * @throws NullPointerException if {@code scheme} or {@code host} is {@code null}
     */
    public static String destination(String scheme, String host, int port) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("Invalid port (" + port + "): must be -1 (none) or 0 to 65535");
        }
        String normalScheme = scheme.toLowerCase(Locale.ROOT);
        String normalHost = host.toLowerCase(Locale.ROOT);
        if (normalHost.indexOf(':') >= 0 && !normalHost.startsWith("[")) {
            normalHost = "[" + normalHost + "]";
        }
        int normalPort = port != -1 ? port : switch (normalScheme) {
            case "http", "ws" -> 80;
            case "https", "wss" -> 443;
            default -> -1;
        };
        String key = normalScheme + "://" + normalHost;
        return normalPort == -1 ? key : key + ":" + normalPort;
    }

    /**
     * The budget of a destination, created if it is not kept yet (dropping the least recently used
     * destination when {@link #maxDestinations()} are kept), and marked as the most recently used.
     * @param key the destination, as made by {@link #destination(String, String, int)}
     * @return its budget; {@link RetryBudget#unlimited()} when budgets are disabled
     * @throws NullPointerException if {@code key} is {@code null}, or the factory made {@code null}
     * @throws RuntimeException whatever the factory throws; nothing is kept then
     */
    public RetryBudget forDestination(String key) {
        Objects.requireNonNull(key, "key");
        if (factory == null) {
            return RetryBudget.unlimited();
        }
        return this.budgets.get(key, factory);
    }

    /**
     * The budget of the destination these URI parts name, as {@link #forDestination(String)} with
     * {@link #destination(String, String, int)}; when they name the most recently used destination
     * (a client that calls one host), it is found without building its key.
     * @param scheme the scheme, such as {@code https}
     * @param host the host
     * @param port the port, or {@code -1} when the URI names none
     * @return its budget; {@link RetryBudget#unlimited()} when budgets are disabled
     */
    public RetryBudget forDestination(String scheme, String host, int port) {
        if (this.factory == null) {
            return RetryBudget.unlimited();
        }
        return this.budgets.get(scheme, host, port, this.factory);
    }

    /**
     * The least budget left among the destinations kept, read one destination at a time (not an
     * atomic snapshot). Reading does not mark any destination as used. O(destinations kept).
     * @return the least number of retries any destination would grant now; {@link Long#MAX_VALUE}
     *     when disabled; when no destination is kept yet, what a fresh budget grants
     */
    public long leastAvailable() {
        if (factory == null) {
            return Long.MAX_VALUE;
        }
        long[] least = { Long.MAX_VALUE };
        boolean[] any = { false };
        this.budgets.forEach((destination, budget) -> {
            least[0] = Math.min(least[0], budget.available());
            any[0] = true;
        });
        return any[0] ? least[0] : factory.apply("").available();
    }

    /**
     * The destinations kept with their budget left, the lowest first (then by key), at most
     * {@code limit} of them: bounded output for an endpoint. Reading does not mark any destination
     * as used. O(n log n) in the destinations kept.
     * @param limit the most entries returned, zero or positive
     * @return an immutable list; empty when disabled
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    public List<DestinationBudget> snapshot(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("Invalid limit (" + limit + "): must be zero or positive");
        }
        if (factory == null || limit == 0) {
            return List.of();
        }
        List<DestinationBudget> all = new ArrayList<>(Math.min(this.budgets.size(), this.maxDestinations));
        this.budgets.forEach((destination, budget) -> all.add(new DestinationBudget(destination, budget.available())));
        all.sort(LOWEST_FIRST);
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    /**
     * How many destinations are kept now, never more than {@link #maxDestinations()}.
     * @return the number; 0 when disabled
     */
    public int size() {
        return this.budgets.size();
    }

    /**
     * The most destinations kept.
     * @return the limit, at least 1
     */
    public int maxDestinations() {
        return maxDestinations;
    }

    /**
     * Whether budgets are kept at all.
     * @return {@code false} for {@link #disabled()}
     */
    public boolean enabled() {
        return factory != null;
    }

    /** The destinations in use order, least recently used first; for tests. */
    List<String> byRecency() {
        return this.budgets.byRecency();
    }

    @Override
    public String toString() {
        return factory == null ? "RetryBudgets[disabled]" : "RetryBudgets[" + size() + " of at most " + maxDestinations + " destinations]";
    }
}
