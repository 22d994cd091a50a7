package dev.httpretry.core;

import java.util.Locale;
import java.util.Objects;

/**
 * What became of one hedge: an extra copy of a request, sent because the copies before it had not
 * answered within {@code hedging.delay}.
 *
 * @param client the client's name
 * @param method the request method
 * @param attempt the attempt number the hedge has (or would have had, when refused)
 * @param outcome whether it won, lost or was refused
 */
public record HedgeEvent(String client, String method, int attempt, Outcome outcome) {

    /** Checks the arguments. */
    public HedgeEvent {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** What became of a hedge. {@link #tagValue()} is the metric tag value. */
    public enum Outcome {

        /** Its response was the one the call ended with. */
        WON,

        /** Sent, but the call ended on another copy's response, or without a response it could use. */
        LOST,

        /** The budget refused it, so it was not sent. */
        REFUSED;

        /**
         * The lower-case name used as a metric tag.
         * @return {@code won}, {@code lost} or {@code refused}
         */
        public String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
