package dev.httpretry.benchmarks.decision;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import dev.httpretry.actuate.RetryStatistics;
import dev.httpretry.core.Attempt;
import dev.httpretry.core.Outcome;
import dev.httpretry.core.RetryBudget;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryExecution;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.micrometer.RetryMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The decision alone, without any I/O: {@link RetryPolicy#decide} on a prebuilt attempt, and a
 * whole {@link RetryExecution} (start, attempt, outcome) on a success, on a retry and on a stop,
 * in nanoseconds and bytes per operation (JMH with {@code -prof gc}). The policy is the contract's
 * defaults. A success draws on a windowed budget, as a call does by default; retries and stops use
 * an unlimited budget, so that a run of millions of retries is not turned into refusals by the budget.
 *
 * <p>Not part of {@code mvn verify}: run it with
 * <pre>mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=decision.DecisionBenchmark</pre>
 * (one fork, 3 warm-up and 5 measured iterations of 1 s, with the GC profiler), or pass JMH's own
 * options, e.g. {@code -Dbench.args="-f 3 -prof gc DecisionBenchmark.execution"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xms512m", "-Xmx512m" })
public class DecisionBenchmark {

    private static final LongSupplier NANO_TIME = System::nanoTime;

    private final RetryPolicy policy = RetryPolicy.defaults();

    private final RetryBudget windowed = this.policy.newBudget(Clock.systemUTC());

    private final RetryBudget unlimited = RetryBudget.unlimited();

    private final Outcome ok = Outcome.response(200, null);

    private final Outcome unavailable = Outcome.response(503, null);

    private final Outcome notFound = Outcome.response(404, null);

    private final Attempt firstUnavailable = new Attempt(1, this.unavailable, "GET", false, Duration.ofSeconds(14), 0, null, true);

    private final Attempt lastUnavailable = new Attempt(4, this.unavailable, "GET", false, Duration.ofSeconds(10), 0,
            Duration.ofSeconds(4), true);

    private final Attempt firstNotFound = new Attempt(1, this.notFound, "GET", false, Duration.ofSeconds(14), 0, null, true);

    private final RetryListener observed;

    public DecisionBenchmark() {
        RetryClients clients = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, this.policy), Clock.systemUTC());
        this.observed = RetryListener.composite(List.of(new RetryStatistics(), new RetryMetrics(new SimpleMeterRegistry(), clients)));
    }

    /** decide() on a 503 with attempts left: a retry after a jittered backoff. */
    @Benchmark
    public RetryDecision decideRetry() {
        return this.policy.decide(this.firstUnavailable, this.unlimited);
    }

    /** decide() on a 503 at the last attempt: stop, exhausted. */
    @Benchmark
    public RetryDecision decideStopExhausted() {
        return this.policy.decide(this.lastUnavailable, this.unlimited);
    }

    /** decide() on a 404: stop, not retryable. */
    @Benchmark
    public RetryDecision decideStopNotRetryable() {
        return this.policy.decide(this.firstNotFound, this.unlimited);
    }

    /** A whole call that succeeds at once, nobody listening: start, attempt, onSuccess(200). */
    @Benchmark
    public RetryDecision executionSuccess() {
        RetryExecution execution = this.policy.start("default", "GET", false, this.windowed, RetryListener.NONE, NANO_TIME);
        execution.startAttempt();
        return execution.onSuccess(200);
    }

    /** The same, with the statistics and meters the auto-configuration adds listening. */
    @Benchmark
    public RetryDecision executionSuccessObserved() {
        RetryExecution execution = this.policy.start("default", "GET", false, this.windowed, this.observed, NANO_TIME);
        execution.startAttempt();
        return execution.onSuccess(200);
    }

    /** A success reported as an outcome (how an adapter that does not special-case 2xx reports it). */
    @Benchmark
    public RetryDecision executionSuccessAsOutcome() {
        RetryExecution execution = this.policy.start("default", "GET", false, this.windowed, RetryListener.NONE, NANO_TIME);
        execution.startAttempt();
        return execution.onOutcome(this.ok);
    }

    /** A first attempt answered 503: the decision to retry, with the earlier failure kept. */
    @Benchmark
    public RetryDecision executionRetry() {
        RetryExecution execution = this.policy.start("default", "GET", false, this.unlimited, RetryListener.NONE, NANO_TIME);
        execution.startAttempt();
        return execution.onOutcome(this.unavailable);
    }

    /** A first attempt answered 404: the decision to stop. */
    @Benchmark
    public RetryDecision executionStop() {
        RetryExecution execution = this.policy.start("default", "GET", false, this.unlimited, RetryListener.NONE, NANO_TIME);
        execution.startAttempt();
        return execution.onOutcome(this.notFound);
    }

    /** A call answered 503 then 200: two attempts, one retry, one success. */
    @Benchmark
    public RetryDecision executionRetryThenSuccess() {
        RetryExecution execution = this.policy.start("default", "GET", false, this.unlimited, RetryListener.NONE, NANO_TIME);
        execution.startAttempt();
        execution.onOutcome(this.unavailable);
        execution.startAttempt();
        return execution.onSuccess(200);
    }

    /**
     * Runs every benchmark of this class with the GC profiler, or JMH with the given options.
     * @param args none, or JMH's command-line options
     * @throws RunnerException if JMH fails
     */
    public static void main(String[] args) throws RunnerException, java.io.IOException {
        if (args.length > 0) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        new Runner(new OptionsBuilder().include(DecisionBenchmark.class.getName() + "\\.").addProfiler(GCProfiler.class).build()).run();
    }
}
