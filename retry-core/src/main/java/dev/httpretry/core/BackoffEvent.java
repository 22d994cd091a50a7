package dev.httpretry.core;

import java.time.Duration;
import java.util.Objects;

/**
 * A wait before the next attempt starts.
 *
 * @param client the client's name
 * @param method the request method
 * @param attempt the number of the attempt that failed, so the wait precedes attempt {@code attempt + 1}
 * @param delay how long the wait is
 * @param source whether the delay came from backoff or from {@code Retry-After}
 */
public record BackoffEvent(String client, String method, int attempt, Duration delay, DelaySource source) {

    /** Checks the arguments. */
    public BackoffEvent {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(source, "source");
    }
}
