package dev.httpretry.core;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Reads the header values of a request or a response, whatever client holds them, so that the
 * rules that read headers ({@code Idempotency-Key}, {@code Retry-After}, the rate-limit headers) are
 * written once, in core. Names are matched without regard to case, as HTTP does.
 */
@FunctionalInterface
public interface HeaderLookup {

    /** A lookup that finds no header. */
    HeaderLookup NONE = (name) -> null;

    /**
     * The values of a header, in the order received.
     * @param name the header's name, in any case
     * @return the values, or {@code null} (or an empty list) when there is no such header
     */
    @Nullable List<String> values(String name);

    /**
     * The first value of a header.
     * @param name the header's name, in any case
     * @return the value, or {@code null} when there is no such header
     */
    default @Nullable String first(String name) {
        List<String> values = values(name);
        return (values == null || values.isEmpty()) ? null : values.get(0);
    }
}
