package dev.httpretry.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.BackoffEvent;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.Durations;
import dev.httpretry.core.ExceptionClassifier;
import dev.httpretry.core.HedgeEvent;
import dev.httpretry.core.Outcome;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.ThrottleEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Says why a call was or was not retried: one DEBUG line per attempt outcome, per wait and per
 * call end, under the logger {@value #LOGGER_NAME}, for WebClient and RestClient calls alike, each
 * line naming the client and the kind of client that made the call. Made per call, and only while
 * that logger is at DEBUG ({@link #wrap}), so a call with DEBUG off builds no line and no event for
 * it. The URI is logged without its query string, user info or fragment: those may hold secrets.
 *
 * <p>Lines look like {@code [payments, RestClient] GET http://host/orders attempt 1: status 503 (UNAVAILABLE) -> retry},
 * {@code ... wait 120ms (backoff) before attempt 2}, {@code ... attempt 2 waits 40ms for its turn (the destination's learned rate)} and {@code ... end after 3 attempts: exhausted, status 503 returned as it was};
 * a call that ends on an exception of its own (the deadline passed between attempts, the application
 * stopped) says {@code ... end after 1 attempt: shutdown, error java.lang.IllegalStateException}, as the caller gets it.
 */
final class RetryLog implements RetryListener {

    /** The logger every decision is logged to. */
    static final String LOGGER_NAME = "dev.httpretry.decisions";

    private static final Log logger = LogFactory.getLog(LOGGER_NAME);

    private final String via;

    private final String uri;

    private RetryLog(String via, String uri) {
        this.via = via;
        this.uri = uri;
    }

    /**
     * The listener for one call: the listeners of every call alone unless the logger is at DEBUG,
     * else those and a log of this call (a line that fails to log never breaks the call).
     * @param via the kind of client that makes the call ({@code WebClient}, {@code RestClient})
     * @param url the request's URL
     * @param listeners the listeners of every call
     * @return the listener of this call
     */
    static RetryListener wrap(String via, URI url, RetryListener listeners) {
        if (!logger.isDebugEnabled()) {
            return listeners;
        }
        return RetryListener.composite(List.of(listeners, new RetryLog(via, withoutQuery(url))));
    }

    @Override
    public void onAttempt(AttemptEvent event) {
        RetryDecision decision = event.decision();
        String verdict;
        if (decision instanceof RetryDecision.Stop stop) {
            verdict = stop.reason().isSuccess() ? "done" : "stop (" + stop.reason().tagValue() + ")";
        }
        else {
            verdict = (decision instanceof RetryDecision.OthersGoOn) ? "other copies go on" : "retry";
        }
        logger.debug(prefix(event.client(), event.method()) + " attempt " + event.attempt() + ": " + describe(event.outcome())
                + " (" + decision.category() + ") -> " + verdict);
    }

    @Override
    public void onBackoff(BackoffEvent event) {
        logger.debug(prefix(event.client(), event.method()) + " wait " + delay(event.delay()) + " ("
                + event.source().tagValue() + ") before attempt " + (event.attempt() + 1));
    }

    @Override
    public void onThrottle(ThrottleEvent event) {
        logger.debug(prefix(event.client(), event.method()) + " attempt " + event.attempt() + " waits " + delay(event.delay())
                + " for its turn (the destination's learned rate)");
    }

    @Override
    public void onHedge(HedgeEvent event) {
        logger.debug(prefix(event.client(), event.method()) + " hedge (attempt " + event.attempt() + "): " + event.outcome().tagValue());
    }

    @Override
    public void onCallEnd(CallEvent event) {
        StringBuilder line = new StringBuilder(prefix(event.client(), event.method())).append(" end after ")
            .append(event.attempts()).append((event.attempts() == 1) ? " attempt: " : " attempts: ").append(event.reason().tagValue());
        Outcome last = event.lastOutcome();
        if (last instanceof Outcome.Response response) {
            line.append(", status ").append(response.status()).append(" returned as it was");
        }
        else if (last instanceof Outcome.Failure failure) {
            line.append(", ").append(describe(failure));
        }
        logger.debug(line.toString());
    }

    /** A jittered delay in milliseconds to a tenth, a whole one as configured ({@code 50ms}, {@code 1s}). */
    static String delay(Duration delay) {
        if (delay.toNanosPart() % 1_000_000 == 0) {
            return Durations.format(delay);
        }
        return String.format(Locale.ROOT, "%.1fms", delay.toNanos() / 1e6);
    }

    private String prefix(String client, String method) {
        return "[" + client + ", " + this.via + "] " + method + " " + this.uri;
    }

    private static String describe(Outcome outcome) {
        if (outcome instanceof Outcome.Response response) {
            return "status " + response.status();
        }
        Throwable error = ((Outcome.Failure) outcome).error();
        Throwable root = ExceptionClassifier.rootCause(error);
        // class names only: exception messages may quote the full URI, query string included
        return "error " + error.getClass().getName() + ((root != error) ? " caused by " + root.getClass().getName() : "");
    }

    /** Scheme, host, port and path: no user info, query string or fragment. */
    static String withoutQuery(URI url) {
        StringBuilder result = new StringBuilder();
        if (url.getScheme() != null) {
            result.append(url.getScheme()).append("://");
        }
        String host = url.getHost();
        if (host != null) {
            result.append(host);
            if (url.getPort() != -1) {
                result.append(':').append(url.getPort());
            }
        }
        String path = url.getRawPath();
        result.append((path != null && !path.isEmpty()) ? path : "/");
        return result.toString();
    }

    @Override
    public String toString() {
        return "RetryLog[" + this.uri + "]";
    }
}
