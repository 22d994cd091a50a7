package dev.httpretry.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.httpretry.autoconfigure.HttpRetryProperties;
import dev.httpretry.core.MonotonicClock;
import dev.httpretry.core.StopReason;
import reactor.core.publisher.Flux;

/**
 * Section 4's outage with {@code adaptive.enabled}: a loopback server answers every request 503, and
 * {@code calls} GETs ({@code concurrency} at a time) go through the retry filter at section 4's settings
 * (max-attempts 4, backoff 1 ms to 10 ms, full jitter, the default budget, deadline 15 s). Contenders,
 * interleaved, a fresh client per run: the budget alone (section 4's "on" row), the budget with
 * adaptive, and adaptive with the budget off. Reports the server's requests per call and how the calls
 * stopped.
 *
 * <pre>mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=AdaptiveUnderOutage [-Dbench.args="--calls 10000 --reps 3"]</pre>
 *
 * <p>Arguments (all optional): {@code --calls 10000 --concurrency 50 --reps 3 --warm-ups 2 --out results}.
 */
public final class AdaptiveUnderOutage {

    private AdaptiveUnderOutage() {
    }

    /**
     * One contender: whether the budget and adaptive are on.
     */
    record Contender(String name, boolean budget, boolean adaptive) {
    }

    static final List<Contender> CONTENDERS = List.of(new Contender("budget (section 4)", true, false),
            new Contender("budget + adaptive", true, true), new Contender("adaptive, budget off", false, true));

    /**
     * One run.
     * @param contender which
     * @param calls calls made
     * @param requests requests the server received
     * @param millis wall time of the run
     * @param stops calls by the reason they stopped
     * @param rate the learned rate at the end, requests per second ({@code NaN} without adaptive)
     */
    record Result(Contender contender, int calls, long requests, double millis, Map<StopReason, Long> stops, double rate) {

        double attemptsPerCall() {
            return (double) this.requests / this.calls;
        }

        long stopped(StopReason reason) {
            return this.stops.getOrDefault(reason, 0L);
        }
    }

    static Result run(LoopbackServer server, Contender contender, int calls, int concurrency) {
        HttpRetryProperties properties = BudgetUnderOutage.properties(contender.budget());
        properties.getAdaptive().setEnabled(contender.adaptive());
        try (RetryingClient client = new RetryingClient(server.url(), properties, MonotonicClock.INSTANCE, concurrency + 16)) {
            client.openConnections(concurrency);
            server.reset();
            long start = System.nanoTime();
            Long successes = Flux.range(0, calls)
                .flatMap((i) -> client.get().onErrorReturn(false), concurrency)
                .filter(Boolean::booleanValue)
                .count()
                .block(Duration.ofMinutes(5));
            double millis = (System.nanoTime() - start) / 1e6;
            if (successes == null || successes != 0) {
                throw new IllegalStateException("A call succeeded during a total outage: " + successes);
            }
            Map<StopReason, Long> stops = new EnumMap<>(StopReason.class);
            client.snapshot().calls().forEach((reason, count) -> {
                if (count != 0) {
                    stops.put(reason, count);
                }
            });
            return new Result(contender, calls, server.requests(), millis, stops, AdaptiveContention.rate(client));
        }
    }

    /**
     * Runs the benchmark and prints the table.
     * @param args the options listed in the class comment
     * @throws IOException if the CSV cannot be written
     */
    public static void main(String[] args) throws IOException {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
            .setLevel(ch.qos.logback.classic.Level.WARN);
        Options options = Options.parse(args);
        int calls = options.integer("calls", 10_000);
        int concurrency = options.integer("concurrency", 50);
        int reps = options.integer("reps", 3);
        int warmUps = options.integer("warm-ups", 2);
        Path out = Path.of(options.string("out", "results"));
        System.out.printf(Locale.ROOT, "Adaptive under a total outage: every request answered 503; %d calls, %d at a time, "
                + "max-attempts 4, backoff 1ms..10ms full jitter, deadline 15s; %d warm-ups, %d repetitions, fresh client per run%n",
                calls, concurrency, warmUps, reps);
        List<Result> results = new ArrayList<>();
        try (LoopbackServer server = LoopbackServer.totalOutage()) {
            for (int rep = 1 - warmUps; rep <= reps; rep++) {
                for (Contender contender : CONTENDERS) {
                    Result r = run(server, contender, rep > 0 ? calls : Math.min(calls, 5_000), concurrency);
                    if (rep > 0) {
                        results.add(r);
                    }
                    System.out.printf(Locale.ROOT, "%s %d %-22s requests %6d  attempts/call %.4f  %7.0f ms  stops %s  rate at end %.2f/s%n",
                            rep > 0 ? "rep" : "warm-up", rep > 0 ? rep : rep + warmUps, contender.name(), r.requests(),
                            r.attemptsPerCall(), r.millis(), r.stops(), r.rate());
                }
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("| contender | calls | server requests (median) | attempts per call (median) | attempts per call (min–max) "
                + "| stopped: exhausted / budget / throttled / deadline (median) | elapsed ms (median) |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | --- | ---: |\n");
        StringBuilder csv = new StringBuilder("contender,rep,calls,requests,attempts_per_call,elapsed_ms,exhausted,budget,throttled,"
                + "deadline,rate_at_end\n");
        Map<Contender, List<Result>> byContender = new LinkedHashMap<>();
        results.forEach((r) -> byContender.computeIfAbsent(r.contender(), (k) -> new ArrayList<>()).add(r));
        byContender.forEach((contender, mine) -> {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.4f | %.4f–%.4f | %.0f / %.0f / %.0f / %.0f | %.0f |%n",
                    contender.name(), calls, Stats.median(mine, Result::requests), Stats.median(mine, Result::attemptsPerCall),
                    Stats.min(mine, Result::attemptsPerCall), Stats.max(mine, Result::attemptsPerCall),
                    Stats.median(mine, (r) -> r.stopped(StopReason.EXHAUSTED)), Stats.median(mine, (r) -> r.stopped(StopReason.BUDGET)),
                    Stats.median(mine, (r) -> r.stopped(StopReason.THROTTLED)), Stats.median(mine, (r) -> r.stopped(StopReason.DEADLINE)),
                    Stats.median(mine, Result::millis)));
            for (int i = 0; i < mine.size(); i++) {
                Result r = mine.get(i);
                csv.append(String.format(Locale.ROOT, "\"%s\",%d,%d,%d,%.4f,%.1f,%d,%d,%d,%d,%.2f%n", contender.name(), i + 1, r.calls(),
                        r.requests(), r.attemptsPerCall(), r.millis(), r.stopped(StopReason.EXHAUSTED), r.stopped(StopReason.BUDGET),
                        r.stopped(StopReason.THROTTLED), r.stopped(StopReason.DEADLINE), r.rate()));
            }
        });
        System.out.println();
        System.out.print(md);
        Files.createDirectories(out);
        Files.writeString(out.resolve("adaptive-under-outage.csv"), csv);
        System.out.println("wrote " + out.resolve("adaptive-under-outage.csv"));
    }
}
