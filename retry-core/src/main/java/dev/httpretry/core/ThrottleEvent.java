package dev.httpretry.core;

import java.time.Duration;
import java.util.Objects;

/**
 * An attempt waits for its turn at its destination ({@code adaptive.enabled}), before it is sent.
 *
 * @param client the client's name
 * @param method the request method
 * @param attempt the number of the attempt that waits, 1 for the first
 * @param delay how long it waits
 */
public record ThrottleEvent(String client, String method, int attempt, Duration delay) {

    /** Checks that nothing is missing. */
    public ThrottleEvent {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(delay, "delay");
    }
}
