package dev.httpretry.test;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.BackoffEvent;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.DelaySource;
import dev.httpretry.core.HedgeEvent;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.StopReason;
import dev.httpretry.core.ThrottleEvent;
import org.jspecify.annotations.Nullable;

/**
 * One call as a {@link RetryRecorder} saw it: its client, method and URI (without query, user info
 * or fragment), each attempt's status or error and whether it was retried, each wait's length and
 * source, and, once it has ended, its stop reason. The accessors return copies; {@link #check()}
 * asserts on it. Thread-safe: a hedged call's copies answer on different threads.
 */
public final class RecordedCall {

    private final String client;

    private final String method;

    private final URI uri;

    private final List<Attempt> attempts = new ArrayList<>();

    private final List<Wait> waits = new ArrayList<>();

    private final List<HedgeEvent.Outcome> hedges = new ArrayList<>();

    private final List<Duration> turns = new ArrayList<>();

    private @Nullable StopReason stopReason;

    private int sent;

    RecordedCall(String client, String method, URI uri) {
        this.client = client;
        this.method = method;
        this.uri = withoutQuery(uri);
    }

    /**
     * One attempt: its number, its status or its error, and whether the call went on after it.
     * @param number 1 for the first attempt
     * @param status the response's status, or {@code null} for an error
     * @param error the exception, or {@code null} for a response
     * @param retried whether another attempt followed (or, hedged, other copies went on)
     */
    public record Attempt(int number, @Nullable Integer status, @Nullable Throwable error, boolean retried) {

        /**
         * The outcome as the decision log says it: {@code status 503} or {@code error java.net.ConnectException}.
         * @return the outcome
         */
        public String outcome() {
            return (this.status != null) ? "status " + this.status
                    : "error " + Objects.requireNonNull(this.error, "error").getClass().getName();
        }
    }

    /**
     * One wait before a next attempt, at the full length decided (also when waits are skipped).
     * @param beforeAttempt the attempt it precedes
     * @param length how long
     * @param source where its length came from
     */
    public record Wait(int beforeAttempt, Duration length, DelaySource source) {
    }

    /**
     * The name of the client the call ran under.
     * @return the name
     */
    public String client() {
        return this.client;
    }

    /**
     * The request method.
     * @return the method, such as {@code GET}
     */
    public String method() {
        return this.method;
    }

    /**
     * The request's URI, without its query, user info or fragment.
     * @return the URI
     */
    public URI uri() {
        return this.uri;
    }

    /**
     * The attempts so far.
     * @return a copy, in order
     */
    public synchronized List<Attempt> attempts() {
        return List.copyOf(this.attempts);
    }

    /**
     * How many attempts the call sent: once it has ended, as its end counts them (an attempt the
     * caller cancelled included), else the attempts decided on so far.
     * @return the number of attempts
     */
    public synchronized int attemptCount() {
        return (this.stopReason != null) ? this.sent : this.attempts.size();
    }

    /**
     * The statuses of the attempts that were answered, in order.
     * @return the statuses
     */
    public synchronized List<Integer> statuses() {
        return this.attempts.stream().map(Attempt::status).filter(Objects::nonNull).toList();
    }

    /**
     * The waits so far.
     * @return a copy, in order
     */
    public synchronized List<Wait> waits() {
        return List.copyOf(this.waits);
    }

    /**
     * How long the call waited in all, as decided.
     * @return the sum of the waits
     */
    public synchronized Duration waited() {
        return this.waits.stream().map(Wait::length).reduce(Duration.ZERO, Duration::plus);
    }

    /**
     * How long its attempts waited for their turn at the destination's learned rate ({@code adaptive.enabled}).
     * @return a copy, in order; empty when no attempt waited
     */
    public synchronized List<Duration> turns() {
        return List.copyOf(this.turns);
    }

    /**
     * The hedges of a hedged call: each copy that won, lost or was refused.
     * @return a copy, in order
     */
    public synchronized List<HedgeEvent.Outcome> hedges() {
        return List.copyOf(this.hedges);
    }

    /**
     * Why the call stopped.
     * @return the reason, or {@code null} while the call is in progress
     */
    public synchronized @Nullable StopReason stopReason() {
        return this.stopReason;
    }

    /**
     * Assertions on this call.
     * @return the assertions
     */
    public CallCheck check() {
        return new CallCheck(this);
    }

    /** The listener of this call's events. */
    RetryListener listener() {
        return new RetryListener() {
            @Override
            public void onAttempt(AttemptEvent event) {
                Integer status = event.status().isPresent() ? event.status().getAsInt() : null;
                add(new Attempt(event.attempt(), status, (status != null) ? null : event.error(), event.retried()));
            }

            @Override
            public void onBackoff(BackoffEvent event) {
                add(new Wait(event.attempt() + 1, event.delay(), event.source()));
            }

            @Override
            public void onHedge(HedgeEvent event) {
                add(event.outcome());
            }

            @Override
            public void onThrottle(ThrottleEvent event) {
                addTurn(event.delay());
            }

            @Override
            public void onCallEnd(CallEvent event) {
                ended(event.reason(), event.attempts());
            }
        };
    }

    private synchronized void add(Attempt attempt) {
        this.attempts.add(attempt);
    }

    private synchronized void add(Wait wait) {
        this.waits.add(wait);
    }

    private synchronized void addTurn(Duration turn) {
        this.turns.add(turn);
    }

    private synchronized void add(HedgeEvent.Outcome hedge) {
        this.hedges.add(hedge);
    }

    private synchronized void ended(StopReason reason, int attempts) {
        this.stopReason = reason;
        this.sent = attempts;
    }

    /**
     * The call as the decision log tells it, one line per attempt and wait, and its end.
     * @return the lines
     */
    @Override
    public synchronized String toString() {
        StringBuilder text = new StringBuilder().append('[').append(this.client).append("] ").append(this.method).append(' ')
            .append(this.uri);
        StopReason reason = this.stopReason;
        int waitIndex = 0;
        for (Attempt attempt : this.attempts) {
            while (waitIndex < this.waits.size() && this.waits.get(waitIndex).beforeAttempt() <= attempt.number()) {
                appendWait(text, this.waits.get(waitIndex++));
            }
            String stop = (reason != null && !reason.isSuccess() && attempt.number() == this.attempts.size())
                    ? " -> stop (" + reason.tagValue() + ")" : " -> done";
            text.append("\n  attempt ").append(attempt.number()).append(": ").append(attempt.outcome())
                .append(attempt.retried() ? " -> retry" : stop);
        }
        while (waitIndex < this.waits.size()) {
            appendWait(text, this.waits.get(waitIndex++));
        }
        text.append("\n  ").append((reason != null) ? "end after " + this.sent + ((this.sent == 1) ? " attempt: " : " attempts: ")
                + reason.tagValue() : "in progress");
        return text.toString();
    }

    private static void appendWait(StringBuilder text, Wait wait) {
        text.append("\n  wait ").append(length(wait.length())).append(" (").append(wait.source().tagValue())
            .append(") before attempt ").append(wait.beforeAttempt());
    }

    /** A wait's length as the decision log gives it: {@code 1s}, {@code 250ms}, {@code 66.1ms}. */
    static String length(Duration length) {
        long nanos = length.toNanos();
        if (nanos % 1_000_000_000 == 0) {
            return nanos / 1_000_000_000 + "s";
        }
        return BigDecimal.valueOf(nanos, 6).stripTrailingZeros().toPlainString() + "ms";
    }

    private static URI withoutQuery(URI uri) {
        if (uri.getRawQuery() == null && uri.getRawUserInfo() == null && uri.getRawFragment() == null) {
            return uri;
        }
        String port = (uri.getPort() != -1) ? ":" + uri.getPort() : "";
        return URI.create(uri.getScheme() + "://" + uri.getHost() + port + Objects.requireNonNullElse(uri.getRawPath(), ""));
    }
}
