package dev.httpretry.core;

import org.jspecify.annotations.Nullable;

/**
 * What a client has learned of one destination, as the {@code retry} endpoint shows it.
 *
 * @param destination scheme, host and port, such as {@code https://api.example.com:443}
 * @param rate the send rate attempts are given, in requests per second; {@code null} while the
 *     destination has not pushed back (nothing waits), or when the client does not learn rates
 * @param sendingRate the rate attempts went out at lately, in requests per second; {@code null} when
 *     the client does not learn rates
 * @param hedgeDelayMillis the hedging delay its calls get now ({@code hedging.delay: auto}); {@code null}
 *     when the client's delay is set by hand
 * @param latencies how many recent latencies that delay is read from
 */
public record LearnedDestination(String destination, @Nullable Double rate, @Nullable Double sendingRate,
        @Nullable Double hedgeDelayMillis, int latencies) {
}
