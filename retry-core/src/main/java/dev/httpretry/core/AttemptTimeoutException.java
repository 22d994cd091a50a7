package dev.httpretry.core;

import java.time.Duration;
import java.util.concurrent.TimeoutException;


/** One attempt got no response headers within its {@code attempt-timeout}; it was cancelled. */
public class AttemptTimeoutException extends TimeoutException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     * @param timeout the attempt timeout that passed
     * @param attempt the attempt's number
     */
    public AttemptTimeoutException(Duration timeout, int attempt) {
        super("No response within attempt-timeout of " + Durations.format(timeout) + " (attempt " + attempt + ")");
    }
}
