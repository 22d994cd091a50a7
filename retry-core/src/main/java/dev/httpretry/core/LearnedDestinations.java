package dev.httpretry.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * What one client learns per destination, opt-in: a send rate ({@code adaptive.enabled},
 * {@link AdaptiveRate}) and the recent latencies its hedging delay is read from
 * ({@code hedging.delay: auto}, {@link LatencyWindow}). Kept for at most
 * {@code budget.max-destinations} destinations, the least recently used dropped first, as the budgets
 * are. A client that learns nothing keeps nothing and costs a call nothing. Thread-safe.
 */
public final class LearnedDestinations {

    private static final double PERCENTILE = 0.95;

    private final RetrySettings.HedgingSettings hedging;

    private final @Nullable LruDestinationMap<AdaptiveRate> rates;

    private final @Nullable LruDestinationMap<LatencyWindow> latencies;

    private final LongSupplier nanoTime;

    private LearnedDestinations(RetrySettings settings, LongSupplier nanoTime) {
        int max = settings.budget().maxDestinations();
        int initial = Math.min(max, 64);
        this.hedging = settings.hedging();
        this.rates = settings.adaptive() ? new LruDestinationMap<>(max, initial) : null;
        boolean auto = this.hedging.enabled() && this.hedging.autoDelay();
        this.latencies = auto ? new LruDestinationMap<>(max, initial) : null;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * What a client with these settings learns.
     * @param settings the client's settings
     * @param nanoTime the time source of the rates and the latency windows (a monotonic one)
     * @return what it learns, perhaps nothing
     */
    public static LearnedDestinations of(RetrySettings settings, LongSupplier nanoTime) {
        return new LearnedDestinations(settings, nanoTime);
    }

    /**
     * Whether the client learns anything.
     * @return {@code true} with {@code adaptive.enabled} or {@code hedging.delay: auto}
     */
    public boolean enabled() {
        return this.rates != null || this.latencies != null;
    }

    /** What one call to this destination learns from and is told by; {@code null} when the client learns nothing. */
    @Nullable CallLearning forCall(String scheme, String host, int port) {
        LruDestinationMap<AdaptiveRate> rates = this.rates;
        LruDestinationMap<LatencyWindow> latencies = this.latencies;
        if (rates == null && latencies == null) {
            return null;
        }
        AdaptiveRate rate = (rates != null) ? rates.get(scheme, host, port, (key) -> new AdaptiveRate(this.nanoTime)) : null;
        LatencyWindow latency = (latencies != null) ? latencies.get(scheme, host, port, (key) -> new LatencyWindow(this.nanoTime))
                : null;
        return new CallLearning(rate, latency, this, 1 + this.hedging.maxHedges());
    }

    /**
     * The hedging delay of a destination: its recent 95th percentile latency, never below
     * {@code hedging.min-delay}; {@code hedging.delay}'s fallback until it has enough latencies.
     */
    long hedgeDelayNanos(LatencyWindow latency) {
        long percentile = latency.percentileNanos(PERCENTILE);
        return (percentile < 0) ? Durations.toNanos(this.hedging.delay()) : Math.max(percentile, Durations.toNanos(this.hedging.minDelay()));
    }

    /**
     * The destinations learned of, by destination, at most {@code limit} of them: bounded output for
     * an endpoint. Reading does not mark any destination as used.
     * @param limit the most entries returned
     * @return an immutable list, empty when the client learns nothing
     */
    public List<LearnedDestination> snapshot(int limit) {
        Map<String, LearnedDestination> all = new TreeMap<>();
        if (this.rates != null) {
            this.rates.forEach((destination, rate) -> {
                double current = rate.rate();
                all.put(destination, new LearnedDestination(destination, Double.isInfinite(current) ? null : current,
                        rate.measuredRate(), null, 0));
            });
        }
        if (this.latencies != null) {
            this.latencies.forEach((destination, latency) -> {
                LearnedDestination known = all.get(destination);
                double delay = hedgeDelayNanos(latency) / 1e6;
                all.put(destination, new LearnedDestination(destination, (known != null) ? known.rate() : null,
                        (known != null) ? known.sendingRate() : null, delay, latency.samples()));
            });
        }
        List<LearnedDestination> list = new ArrayList<>(all.values());
        return List.copyOf(list.subList(0, Math.min(limit, list.size())));
    }
}
