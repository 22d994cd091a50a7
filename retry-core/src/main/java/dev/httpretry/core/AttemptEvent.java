package dev.httpretry.core;

import java.util.Objects;
import java.util.OptionalInt;

import org.jspecify.annotations.Nullable;

/**
 * One attempt ended and was decided on.
 *
 * @param client the client's name ({@code default} for the top-level policy)
 * @param method the request method
 * @param attempt the attempt number, 1 for the first
 * @param outcome the status or the exception it produced
 * @param decision what the policy decided on it
 */
public record AttemptEvent(String client, String method, int attempt, Outcome outcome, RetryDecision decision) {

    /** Checks the arguments. */
    public AttemptEvent {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(decision, "decision");
    }

    /**
     * Whether another attempt follows this one, or runs beside it.
     * @return {@code true} when the decision was to retry, or, for a copy of a hedged call, to let the other copies go on
     */
    public boolean retried() {
        return decision instanceof RetryDecision.Retry || decision instanceof RetryDecision.OthersGoOn;
    }

    /**
     * The response status, if the attempt produced a response.
     * @return the status, or empty for an exception
     */
    public OptionalInt status() {
        return outcome instanceof Outcome.Response response ? OptionalInt.of(response.status()) : OptionalInt.empty();
    }

    /**
     * The exception, if the attempt produced one.
     * @return the exception as raised, or {@code null} for a response
     */
    public @Nullable Throwable error() {
        return outcome instanceof Outcome.Failure failure ? failure.error() : null;
    }
}
