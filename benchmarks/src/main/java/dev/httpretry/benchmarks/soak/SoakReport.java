package dev.httpretry.benchmarks.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.httpretry.actuate.RetryStatistics;
import dev.httpretry.core.Durations;
import dev.httpretry.core.StopReason;
import org.jspecify.annotations.Nullable;

/**
 * Every count of one chaos soak, the checks it must pass, and the summary as Markdown tables.
 *
 * @param settings the soak's knobs
 * @param calls calls meant to be issued
 * @param issued calls the callers subscribed to
 * @param successes calls whose caller got the body that names the call
 * @param failures calls whose caller got an error (or a wrong body)
 * @param hung calls cut by the watchdog (deadline plus ten seconds)
 * @param doubleSignals calls that ended twice (must be none)
 * @param pending calls that never ended (must be none)
 * @param failureKinds the callers' failures by exception (and root cause)
 * @param unexpectedFailures the first failure of each kind that no fault explains (not a WebClient
 *     exception nor a timeout), with its call id and stack trace: must be none
 * @param statistics the filter's {@link RetryStatistics} for the run's calls
 * @param reasonsFromListener call ends by stop reason, from the soak's own listener
 * @param reasonsByMethod call ends by method and stop reason, from the soak's listener
 * @param attemptsByCategory attempts by the policy's category, method and decision
 * @param meteredCalls the sum of the {@code http.client.retry.calls} counters
 * @param attempts attempts that reached the connector (through the filter below the retry filter)
 * @param serverRequests requests the chaos server received, the calm calls at the end included
 * @param serverRequestsWithoutCallId requests without a call id (must be none)
 * @param callsReceivedMoreThanSent calls the server received more often than their attempts were sent to it: a request
 *     no attempt made, sent again by the connector itself (must be none)
 * @param retriedBeforeRetryAfter attempts sent before the {@code Retry-After} of the call's previous, retried
 *     response had passed (must be none); measured below the retry filter, from when it released that response
 * @param attemptsByFault requests by the server's answer, and refused attempts
 * @param unsafePostsSeen POSTs without {@code Idempotency-Key} that reached the server at all
 * @param unsafePostsDuplicated of those, the ones that reached it more than once (must be none)
 * @param keyedPostsResent POSTs with {@code Idempotency-Key} that reached the server more than once
 * @param reachedServerByGroup per method (and key), {calls that reached the server, calls that reached it more than once}
 * @param leakReports {@code LEAK:} reports of Netty's leak detector
 * @param acquiredAtEnd connections still acquired from the pools at the end
 * @param pools connection pools the client created (one per remote address)
 * @param bodiesWhole request bodies the server received whole
 * @param bodiesWrong request bodies the server received empty, cut or wrong (must be none)
 * @param destinations the destinations the client keeps a budget for
 * @param droppedErrors errors Reactor dropped in the client's call chain (an exception escaping; Reactor logs each at ERROR)
 * @param serverDroppedErrors errors Reactor dropped in the chaos server's handlers (after the client hung up)
 * @param droppedValues values Reactor dropped (before the fix: responses dropped unreleased by the attempt timeout)
 * @param connectorDroppedConnections connections Reactor Netty's own connect sink dropped after it had ended the exchange (never
 *     handed to WebClient; the pool takes them back, which the acquired-connections and LEAK checks verify)
 * @param droppedValueTypes the dropped values by type
 * @param droppedSamples the first few dropped signals
 * @param hedges hedges by outcome ({@code won}, {@code lost}, {@code refused}), from the meters
 * @param warnings WARN and ERROR log events, by logger and message shape
 * @param surfacingCalls calm calls made after the collection
 * @param elapsedNanos wall time of the calls
 * @param sortedDurations every call's duration, sorted
 * @param runError what cut the run short, if anything
 */
public record SoakReport(SoakSettings settings, int calls, long issued, long successes, long failures, long hung,
        long doubleSignals, int pending, Map<String, Long> failureKinds, Map<String, String> unexpectedFailures, RetryStatistics.Snapshot statistics,
        Map<StopReason, Long> reasonsFromListener, Map<String, Long> reasonsByMethod, Map<String, Long> attemptsByCategory, long meteredCalls, long attempts, long serverRequests,
        long serverRequestsWithoutCallId, long callsReceivedMoreThanSent, long retriedBeforeRetryAfter, Map<FaultKind, Long> attemptsByFault, long unsafePostsSeen,
        long unsafePostsDuplicated, long keyedPostsResent, Map<String, long[]> reachedServerByGroup, long leakReports,
        int acquiredAtEnd, int pools, long bodiesWhole, long bodiesWrong, int destinations, long droppedErrors, long serverDroppedErrors, long droppedValues, long connectorDroppedConnections, Map<String, Long> droppedValueTypes,
        List<String> droppedSamples, Map<String, Long> hedges,
        Map<String, Long> warnings, int surfacingCalls, long elapsedNanos, long[] sortedDurations, @Nullable Throwable runError) {

    /**
     * Calls whose filter handed up a 2xx but whose body broke off (the server reset mid-body): the
     * retry filter counts them as successes, the caller as failures.
     * @return the count
     */
    public long bodyFailuresAfterSuccess() {
        return this.failureKinds.entrySet().stream()
            .filter((entry) -> entry.getKey().startsWith("body failed after 2"))
            .mapToLong(Map.Entry::getValue)
            .sum();
    }

    /**
     * The checks that failed; empty when the soak passed.
     * @return one line per failed check
     */
    public List<String> violations() {
        List<String> violations = new ArrayList<>();
        for (Check check : checks()) {
            if (!check.passed()) {
                violations.add(check.name() + ": expected " + check.expected() + " but was " + check.actual());
            }
        }
        return violations;
    }

    /**
     * Every check, passed or not.
     * @return the checks
     */
    public List<Check> checks() {
        long statsFailures = this.statistics.totalCalls() - this.statistics.successfulCalls();
        long refused = this.attemptsByFault.getOrDefault(FaultKind.REFUSED, 0L);
        List<Check> checks = new ArrayList<>();
        checks.add(Check.equal("run finished within " + Durations.format(this.settings.maxRunTime()), "no error",
                (this.runError == null) ? "no error" : String.valueOf(this.runError)));
        checks.add(Check.equal("calls issued", this.calls, this.issued));
        checks.add(Check.equal("successes + failures = calls issued", this.issued, this.successes + this.failures));
        checks.add(Check.equal("calls never ended", 0, this.pending));
        checks.add(Check.equal("calls hung past deadline + 10 s", 0, this.hung));
        checks.add(Check.equal("calls that ended twice", 0, this.doubleSignals));
        checks.add(Check.equal("failures no fault explains (not a WebClient exception nor a timeout)", "[]",
                this.unexpectedFailures.keySet().toString()));
        checks.add(Check.equal("RetryStatistics calls = calls issued", this.issued, this.statistics.totalCalls()));
        checks.add(Check.equal("RetryStatistics successes = successes + bodies broken after 2xx",
                this.successes + bodyFailuresAfterSuccess(), this.statistics.successfulCalls()));
        checks.add(Check.equal("RetryStatistics failures = failures - bodies broken after 2xx",
                this.failures - bodyFailuresAfterSuccess(), statsFailures));
        Map<StopReason, Long> statsReasons = new EnumMap<>(StopReason.class);
        this.statistics.calls().forEach((reason, count) -> {
            if (count > 0) {
                statsReasons.put(reason, count);
            }
        });
        checks.add(Check.equal("RetryStatistics calls by reason = the soak listener's", this.reasonsFromListener, statsReasons));
        checks.add(Check.equal("RetryStatistics attempts = attempts at the connector", this.attempts, this.statistics.attempts()));
        checks.add(Check.equal("http.client.retry.calls counters = calls issued", this.issued, this.meteredCalls));
        checks.add(Check.atMost("server requests <= attempts not refused (+ calm calls)",
                this.attempts - refused + this.surfacingCalls, this.serverRequests));
        checks.add(Check.equal("server requests without X-Call-Id", 0, this.serverRequestsWithoutCallId));
        checks.add(Check.equal("calls received more often than their attempts went to the server (one request per attempt)", 0,
                this.callsReceivedMoreThanSent));
        checks.add(Check.equal("attempts sent before the Retry-After of the retried response", 0, this.retriedBeforeRetryAfter));
        checks.add(Check.equal("unsafe POSTs (no Idempotency-Key) received twice", 0, this.unsafePostsDuplicated));
        checks.add(Check.equal("request bodies received empty, cut or wrong", 0, this.bodiesWrong));
        checks.add(Check.equal("destinations with a budget of their own", 2, this.destinations));
        checks.add(Check.equal("LEAK: reports", 0, this.leakReports));
        checks.add(Check.equal("connections acquired at the end", 0, this.acquiredAtEnd));
        checks.add(Check.equal("errors dropped by Reactor in the client (escaped)", 0, this.droppedErrors));
        checks.add(Check.equal("values dropped by Reactor in the client", 0, this.droppedValues));
        return checks;
    }

    /**
     * The summary as Markdown tables.
     * @return the text
     */
    public String table() {
        StringBuilder out = new StringBuilder();
        SoakSettings s = this.settings;
        out.append(String.format(Locale.ROOT, "Chaos soak: %,d calls, concurrency %d, seed 0x%x, pool max %d connections, "
                + "leak detector PARANOID%n", this.calls, s.concurrency(), s.seed(), s.concurrency()));
        out.append(String.format(Locale.ROOT, "Policy: max-attempts %d, backoff %s..%s x2 full jitter, attempt-timeout %s, "
                + "deadline %s, connection-refused-min-delay %s, budget ratio %s + %d/s (window 10 s), hedging %s%n%n", s.maxAttempts(),
                Durations.format(s.initialDelay()), Durations.format(s.maxDelay()), Durations.format(s.attemptTimeout()),
                Durations.format(s.deadline()), Durations.format(s.connectionRefusedMinDelay()), s.budgetRatio(),
                s.budgetMinRetriesPerSecond(), s.hedgingDelay().isZero() ? "off" : "after " + Durations.format(s.hedgingDelay())));

        double seconds = this.elapsedNanos / 1e9;
        out.append("| summary | value |\n| --- | ---: |\n");
        row(out, "calls issued (GET / PUT / POST a third each; half the POSTs keyed)", this.issued);
        row(out, "successes (body checked)", this.successes);
        row(out, "failures", this.failures);
        row(out, "attempts", this.attempts);
        row(out, "attempts per call", String.format(Locale.ROOT, "%.3f", (double) this.attempts / Math.max(1, this.issued)));
        row(out, "waits (retries)", this.statistics.waits());
        row(out, "server requests (incl. " + this.surfacingCalls + " calm calls after GC)", this.serverRequests);
        row(out, "request bodies received whole / empty, cut or wrong (must be 0)", this.bodiesWhole + " / " + this.bodiesWrong);
        row(out, "destinations with a budget of their own", String.valueOf(this.destinations));
        row(out, "duplicated unsafe POSTs (must be 0)", this.unsafePostsDuplicated + " of " + this.unsafePostsSeen + " that reached the server");
        row(out, "keyed POSTs received more than once (allowed)", this.keyedPostsResent);
        row(out, "retries that came before Retry-After had passed (must be 0)", this.retriedBeforeRetryAfter);
        row(out, "LEAK: reports (must be 0)", this.leakReports);
        row(out, "acquired connections at end (must be 0)", this.acquiredAtEnd + " (" + this.pools + " pools)");
        row(out, "hung / never ended / ended twice (must be 0)", this.hung + " / " + this.pending + " / " + this.doubleSignals);
        row(out, "hedges won / lost / refused by the budget", this.hedges.getOrDefault("won", 0L) + " / "
                + this.hedges.getOrDefault("lost", 0L) + " / " + this.hedges.getOrDefault("refused", 0L));
        row(out, "errors / values dropped by Reactor in the client (must be 0)", this.droppedErrors + " / " + this.droppedValues
                + (this.droppedValueTypes.isEmpty() ? "" : " " + this.droppedValueTypes));
        row(out, "errors dropped by Reactor in the chaos server (its handlers, after the client hung up)", this.serverDroppedErrors);
        row(out, "connections dropped by Reactor Netty's own connect sink after it ended the exchange (back in the pool: see above)",
                this.connectorDroppedConnections);
        row(out, "elapsed", String.format(Locale.ROOT, "%.1f s (%.0f calls/s)", seconds, this.issued / Math.max(seconds, 1e-9)));
        row(out, "call duration p50 / p99 / max", millis(percentile(0.50)) + " / " + millis(percentile(0.99)) + " / "
                + millis(percentile(1.0)));

        out.append("\n| calls by stop reason (RetryStatistics) | calls | GET | PUT | POST |\n| --- | ---: | ---: | ---: | ---: |\n");
        for (StopReason reason : StopReason.values()) {
            long count = this.statistics.calls().getOrDefault(reason, 0L);
            if (count == 0) {
                continue;
            }
            out.append("| ").append(reason.tagValue()).append(reason.isSuccess() ? " (success)" : "").append(" | ")
                .append(count);
            for (String method : List.of("GET", "PUT", "POST")) {
                out.append(" | ").append(this.reasonsByMethod.getOrDefault(method + " " + reason.tagValue(), 0L));
            }
            out.append(" |\n");
        }

        out.append("\n| attempts: category | method | decision | attempts |\n| --- | --- | --- | ---: |\n");
        this.attemptsByCategory.forEach((key, count) -> out.append("| ").append(key).append(" | ").append(count).append(" |\n"));

        out.append("\n| failures as the caller saw them | calls |\n| --- | ---: |\n");
        this.failureKinds.forEach((kind, count) -> row(out, kind, count));

        long totalRequests = this.attemptsByFault.values().stream().mapToLong(Long::longValue).sum();
        out.append("\n| attempts by fault kind | attempts | share |\n| --- | ---: | ---: |\n");
        for (FaultKind kind : FaultKind.values()) {
            long count = this.attemptsByFault.getOrDefault(kind, 0L);
            out.append(String.format(Locale.ROOT, "| %s | %d | %.1f %% |%n", kind.label(), count,
                    100.0 * count / Math.max(1, totalRequests)));
        }

        out.append("\n| calls reaching the server | calls | received more than once |\n| --- | ---: | ---: |\n");
        this.reachedServerByGroup.forEach((group, counts) -> out.append("| ").append(group).append(" | ").append(counts[0])
            .append(" | ").append(counts[1]).append(" |\n"));

        out.append("\n| check | expected | actual | ok |\n| --- | --- | --- | --- |\n");
        for (Check check : checks()) {
            out.append("| ").append(check.name()).append(" | ").append(check.expected()).append(" | ").append(check.actual())
                .append(" | ").append(check.passed() ? "yes" : "**NO**").append(" |\n");
        }

        if (!this.warnings.isEmpty()) {
            out.append("\n| WARN/ERROR log events | count |\n| --- | ---: |\n");
            this.warnings.forEach((message, count) -> row(out, message.replace("|", "\\|"), count));
        }
        if (!this.unexpectedFailures.isEmpty()) {
            out.append("\nFailures no fault explains (first of each kind):\n");
            this.unexpectedFailures.forEach((kind, trace) -> out.append("\n").append(kind).append(" (").append(trace.lines()
                .limit(40).collect(java.util.stream.Collectors.joining("\n    "))).append("\n"));
        }
        if (!this.droppedSamples.isEmpty()) {
            out.append("\nDropped signals (first few):\n");
            this.droppedSamples.forEach((sample) -> out.append("- ").append(sample).append('\n'));
        }
        return out.toString();
    }

    private long percentile(double p) {
        if (this.sortedDurations.length == 0) {
            return 0;
        }
        int index = (int) Math.min(this.sortedDurations.length - 1, Math.ceil(p * this.sortedDurations.length) - 1);
        return this.sortedDurations[Math.max(0, index)];
    }

    private static String millis(long nanos) {
        return Durations.format(Duration.ofMillis(nanos / 1_000_000));
    }

    private static void row(StringBuilder out, String name, Object value) {
        out.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    /**
     * One check of the soak.
     * @param name what is checked
     * @param expected the expected value (or bound)
     * @param actual what was measured
     * @param passed whether it holds
     */
    public record Check(String name, String expected, String actual, boolean passed) {

        static Check equal(String name, Object expected, Object actual) {
            return new Check(name, String.valueOf(expected), String.valueOf(actual), String.valueOf(expected).equals(String.valueOf(actual)));
        }

        static Check atMost(String name, long bound, long actual) {
            return new Check(name, "<= " + bound, String.valueOf(actual), actual <= bound);
        }
    }
}
