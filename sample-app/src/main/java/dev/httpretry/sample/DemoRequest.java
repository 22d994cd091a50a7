package dev.httpretry.sample;

import java.util.Objects;

import org.springframework.util.MultiValueMap;

/**
 * One demonstration: how many calls each client makes, how many at a time, and how the upstream
 * misbehaves.
 *
 * @param calls calls per client, 1 to {@value #MAX_CALLS}
 * @param concurrency calls in flight at once, 1 to {@value #MAX_CONCURRENCY}
 * @param scenario how the upstream misbehaves
 */
public record DemoRequest(int calls, int concurrency, Scenario scenario) {

    /** The most calls one demonstration may make per client. */
    public static final int MAX_CALLS = 10_000;

    /** The most calls in flight at once. */
    public static final int MAX_CONCURRENCY = 200;

    /**
     * Checks the values.
     * @throws IllegalArgumentException naming the value and what is allowed
     */
    public DemoRequest {
        if (calls < 1 || calls > MAX_CALLS) {
            throw new IllegalArgumentException("Invalid calls (" + calls + "): must be between 1 and " + MAX_CALLS);
        }
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException(
                    "Invalid concurrency (" + concurrency + "): must be between 1 and " + MAX_CONCURRENCY);
        }
        Objects.requireNonNull(scenario, "scenario");
    }

    /**
     * This request with what the request parameters set ({@code calls}, {@code concurrency} and the
     * {@link Scenario} parameters).
     * @param params request parameters
     * @return the request
     * @throws IllegalArgumentException if a value is malformed or out of range
     */
    public DemoRequest with(MultiValueMap<String, String> params) {
        return new DemoRequest(intParam(params, "calls", this.calls), intParam(params, "concurrency", this.concurrency),
                this.scenario.with(params));
    }

    private static int intParam(MultiValueMap<String, String> params, String name, int fallback) {
        String value = params.getFirst(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException("Invalid " + name + " (" + value + "): must be a whole number", ex);
        }
    }
}
