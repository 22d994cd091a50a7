package dev.httpretry.benchmarks;

import dev.httpretry.core.RetrySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.httpretry.autoconfigure.HttpRetryProperties;
import dev.httpretry.micrometer.RetryMetrics;
import dev.httpretry.core.MonotonicClock;
import dev.httpretry.core.RetryBudget;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.core.StopReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;

/**
 * The retry budget under a total outage: a loopback server answers every request 503, and
 * {@code calls} GETs ({@code concurrency} at a time) go through the starter's retry filter at
 * {@code max-attempts} 4 with small delays (initial 1 ms, cap 10 ms, full jitter), once with the
 * budget off and once with the default budget (ratio 0.1, min-retries-per-second 10). Reports the
 * server's requests per call and the elapsed time.
 *
 * <p>The bound the budget promises ({@link RetryBudget#windowed}): in any window of
 * {@value RetryBudget#WINDOW_SECONDS} s, retries stay within {@code ratio * first attempts + floor *
 * window}. The window rolls in 1 s slots, so the retries of a run that touches {@code s} one-second
 * slots of the budget's clock are at most {@code ratio * calls + floor * window * ceil(s / 10)}
 * (take the last retry, its window of 10 slots, then the last retry before that window, and so on:
 * the windows are disjoint and each obeys the bound), and attempts per call at most
 * {@code 1 + that / calls}.
 *
 * <p>Arguments (all optional): {@code --calls 10000 --concurrency 50 --reps 3 --warm-ups 2 --out results}.
 */
public final class BudgetUnderOutage {

    private static final int MAX_ATTEMPTS = 4;

    private BudgetUnderOutage() {
    }

    /**
     * One run.
     * @param budget whether the budget was on
     * @param calls calls made
     * @param requests requests the server received
     * @param millis wall time of the run
     * @param slots one-second slots of the budget's clock the run touched
     * @param stops calls by the reason they stopped
     * @param budgetStops calls the {@code http.client.retry.calls} meter counted with reason {@code budget}
     */
    record Result(boolean budget, int calls, long requests, double millis, long slots, Map<StopReason, Long> stops,
            double budgetStops) {

        double attemptsPerCall() {
            return (double) this.requests / this.calls;
        }

        long retries() {
            return this.requests - this.calls;
        }

        /** Windows of {@value RetryBudget#WINDOW_SECONDS} slots needed to cover the run's slots. */
        long windows() {
            return (this.slots + RetryBudget.WINDOW_SECONDS - 1) / RetryBudget.WINDOW_SECONDS;
        }

        /** The most retries the default budget allows over this run. */
        double retryBound() {
            return RetrySettings.DEFAULT_BUDGET_RATIO * this.calls
                    + (double) RetrySettings.DEFAULT_BUDGET_MIN_RETRIES_PER_SECOND * RetryBudget.WINDOW_SECONDS * windows();
        }

        /** The most attempts per call the default budget allows over this run. */
        double attemptsPerCallBound() {
            return 1 + retryBound() / this.calls;
        }
    }

    /** max-attempts 4, initial 1 ms, cap 10 ms, full jitter (the default), budget on or off at its defaults. */
    static HttpRetryProperties properties(boolean budget) {
        HttpRetryProperties properties = new HttpRetryProperties();
        properties.setMaxAttempts(MAX_ATTEMPTS);
        properties.getBackoff().setInitialDelay(Duration.ofMillis(1));
        properties.getBackoff().setMaxDelay(Duration.ofMillis(10));
        properties.getBudget().setEnabled(budget);
        return properties;
    }

    /**
     * Makes {@code calls} calls against the server through a fresh client (so a fresh budget).
     * @param server a server in total outage; its counters are reset first
     * @param budget whether the budget is on
     * @param calls calls to make
     * @param concurrency calls in flight at once
     * @return what the run took
     */
    static Result run(LoopbackServer server, boolean budget, int calls, int concurrency) {
        // The budget's clock, read here too so the slots the run touched are the ones the budget saw.
        Clock clock = MonotonicClock.INSTANCE;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HttpRetryProperties properties = properties(budget);
        try (RetryingClient client = new RetryingClient(server.url(), properties, clock, concurrency + 16, registry)) {
            client.openConnections(concurrency);
            server.reset();
            long startMillis = clock.millis();
            long start = System.nanoTime();
            Long successes = Flux.range(0, calls)
                .flatMap((i) -> client.get(), concurrency)
                .filter(Boolean::booleanValue)
                .count()
                .block(Duration.ofMinutes(3));
            double millis = (System.nanoTime() - start) / 1e6;
            long endMillis = clock.millis();
            if (successes == null || successes != 0) {
                throw new IllegalStateException("A call succeeded during a total outage: " + successes);
            }
            long slots = Math.floorDiv(endMillis, 1000) - Math.floorDiv(startMillis, 1000) + 1;
            double budgetStops = registry.find(RetryMetrics.CALLS).tag("reason", StopReason.BUDGET.tagValue())
                .counters().stream().mapToDouble(Counter::count).sum();
            return new Result(budget, calls, server.requests(), millis, slots, client.snapshot().calls(), budgetStops);
        }
    }

    /**
     * Runs the benchmark and prints the table.
     * @param args the options listed in the class comment
     * @throws IOException if the CSV cannot be written
     */
    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);
        int calls = options.integer("calls", 10_000);
        int concurrency = options.integer("concurrency", 50);
        int reps = options.integer("reps", 3);
        int warmUps = options.integer("warm-ups", 2);
        Path out = Path.of(options.string("out", "results"));
        System.out.printf(Locale.ROOT, "Budget under a total outage: every request answered 503; %d calls, %d at a time, "
                + "max-attempts %d, backoff 1ms..10ms full jitter; budget off, then on at ratio %.1f, "
                + "min-retries-per-second %d, window %ds; %d repetitions%n", calls, concurrency, MAX_ATTEMPTS,
                RetrySettings.DEFAULT_BUDGET_RATIO, RetrySettings.DEFAULT_BUDGET_MIN_RETRIES_PER_SECOND,
                RetryBudget.WINDOW_SECONDS, reps);
        List<Result> results = new ArrayList<>();
        try (LoopbackServer server = LoopbackServer.totalOutage()) {
            for (int i = 1; i <= warmUps; i++) {
                for (boolean budget : new boolean[] { false, true }) {
                    Result warmUp = run(server, budget, Math.min(calls, 5_000), concurrency);
                    System.out.printf(Locale.ROOT, "warm-up %d (budget %s, not counted): %d calls, %.4f attempts per call, "
                            + "%.0f ms%n", i, budget ? "on" : "off", warmUp.calls(), warmUp.attemptsPerCall(), warmUp.millis());
                }
            }
            for (int rep = 1; rep <= reps; rep++) {
                for (boolean budget : new boolean[] { false, true }) {
                    Result r = run(server, budget, calls, concurrency);
                    results.add(r);
                    System.out.printf(Locale.ROOT, "rep %d budget %-3s  requests %6d  attempts/call %.4f  retries %6d  "
                            + "%7.0f ms  slots %d  bound %.4f  stops %s  (meter: %.0f budget stops)%n", rep,
                            budget ? "on" : "off", r.requests(), r.attemptsPerCall(), r.retries(), r.millis(), r.slots(),
                            r.attemptsPerCallBound(), nonZero(r.stops()), r.budgetStops());
                }
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("| budget | calls | server requests | attempts per call | retries | bound on attempts per call "
                + "| elapsed ms | calls stopped by: exhausted / budget |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        StringBuilder csv = new StringBuilder(
                "budget,calls,requests,attempts_per_call,retries,elapsed_ms,slots,bound_attempts_per_call,exhausted,budget_stops\n");
        for (Result r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.4f | %d | %s | %.0f | %d / %d |%n",
                    r.budget() ? "on" : "off", r.calls(), r.requests(), r.attemptsPerCall(), r.retries(),
                    r.budget() ? String.format(Locale.ROOT, "%.4f", r.attemptsPerCallBound()) : "4 (max-attempts)",
                    r.millis(), r.stops().get(StopReason.EXHAUSTED), r.stops().get(StopReason.BUDGET)));
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.4f,%d,%.1f,%d,%.4f,%d,%d%n", r.budget() ? "on" : "off",
                    r.calls(), r.requests(), r.attemptsPerCall(), r.retries(), r.millis(), r.slots(),
                    r.attemptsPerCallBound(), r.stops().get(StopReason.EXHAUSTED), r.stops().get(StopReason.BUDGET)));
        }
        md.append("\n| budget | attempts per call (every repetition) | elapsed ms (median) | elapsed ms (min–max) |\n");
        md.append("| --- | --- | ---: | ---: |\n");
        for (boolean budget : new boolean[] { false, true }) {
            List<Result> mine = results.stream().filter((r) -> r.budget() == budget).toList();
            double[] elapsed = mine.stream().mapToDouble(Result::millis).sorted().toArray();
            double median = (elapsed.length % 2 == 1) ? elapsed[elapsed.length / 2]
                    : (elapsed[elapsed.length / 2 - 1] + elapsed[elapsed.length / 2]) / 2;
            md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f–%.0f |%n", budget ? "on" : "off",
                    mine.stream().map((r) -> String.format(Locale.ROOT, "%.4f", r.attemptsPerCall())).distinct()
                        .collect(java.util.stream.Collectors.joining(", ")),
                    median, elapsed[0], elapsed[elapsed.length - 1]));
        }
        System.out.println();
        System.out.print(md);
        Files.createDirectories(out);
        Files.writeString(out.resolve("budget-under-outage.csv"), csv);
        System.out.println("wrote " + out.resolve("budget-under-outage.csv"));
    }

    private static Map<StopReason, Long> nonZero(Map<StopReason, Long> stops) {
        Map<StopReason, Long> copy = new java.util.EnumMap<>(StopReason.class);
        stops.forEach((reason, count) -> {
            if (count != 0) {
                copy.put(reason, count);
            }
        });
        return copy;
    }
}
