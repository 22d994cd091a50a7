package dev.httpretry.core;

import java.util.Objects;

/**
 * One destination's retry budget as it stood when read, for an endpoint or a log.
 * @param destination the destination key, such as {@code https://api.example.com:443}
 * @param available the retries its budget would grant then ({@link Long#MAX_VALUE} when unlimited)
 */
public record DestinationBudget(String destination, long available) {

    /**
     * Checks the parts.
     * @throws NullPointerException if {@code destination} is {@code null}
     */
    public DestinationBudget {
        Objects.requireNonNull(destination, "destination");
    }
}
