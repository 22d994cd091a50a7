package dev.httpretry.sample;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.annotation.JsonValue;

import org.springframework.util.MultiValueMap;

/**
 * How the upstream misbehaves, as request parameters: with probability {@code fail} a request
 * fails in the way {@code mode} says; every response waits {@code delayMs} first.
 *
 * @param fail probability that a request misbehaves, 0 to 1
 * @param mode how a misbehaving request fails
 * @param status the status of {@link Mode#ERROR}
 * @param retryAfter the {@code Retry-After} of {@link Mode#RATE_LIMIT}, in seconds
 * @param retryAfterFormat whether {@code Retry-After} is sent as delta-seconds or as an HTTP-date
 * @param delayMs how long every response waits before it is sent
 * @param slowMs how long a {@link Mode#SLOW} response hangs before its {@code 200}
 */
public record Scenario(double fail, Mode mode, int status, int retryAfter, RetryAfterFormat retryAfterFormat,
        long delayMs, long slowMs) {

    /** The upstream's behaviour when a request asks for nothing: always {@code 200}. */
    public static final Scenario HEALTHY = new Scenario(0, Mode.ERROR, 503, 1, RetryAfterFormat.SECONDS, 0, 2000);

    private static final long MAX_DELAY_MS = 60_000;

    /**
     * Checks the values.
     * @throws IllegalArgumentException naming the parameter, the value and what is allowed
     */
    public Scenario {
        require(fail >= 0 && fail <= 1, "fail", fail, "must be between 0 and 1");
        require(status >= 400 && status <= 599, "status", status, "must be a 4xx or 5xx status");
        require(retryAfter >= 0 && retryAfter <= 3600, "retryAfter", retryAfter, "must be between 0 and 3600 seconds");
        require(delayMs >= 0 && delayMs <= MAX_DELAY_MS, "delayMs", delayMs, "must be between 0 and " + MAX_DELAY_MS);
        require(slowMs >= 0 && slowMs <= MAX_DELAY_MS, "slowMs", slowMs, "must be between 0 and " + MAX_DELAY_MS);
        if (mode == null || retryAfterFormat == null) {
            throw new IllegalArgumentException("mode and retryAfterFormat must be set");
        }
    }

    /**
     * This scenario with the values that the request parameters set.
     * @param params request parameters; unknown ones are ignored
     * @return the scenario
     * @throws IllegalArgumentException if a value is malformed or out of range
     */
    public Scenario with(MultiValueMap<String, String> params) {
        return new Scenario(
                param(params, "fail", Double::parseDouble, this.fail),
                param(params, "mode", Mode::of, this.mode),
                param(params, "status", Integer::parseInt, this.status),
                param(params, "retryAfter", Integer::parseInt, this.retryAfter),
                param(params, "retryAfterFormat", RetryAfterFormat::of, this.retryAfterFormat),
                param(params, "delayMs", Long::parseLong, this.delayMs),
                param(params, "slowMs", Long::parseLong, this.slowMs));
    }

    /**
     * The request parameters that ask the upstream for this scenario.
     * @return parameter names and values, in a stable order
     */
    public Map<String, String> toParams() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("fail", String.valueOf(this.fail));
        params.put("mode", this.mode.configName());
        params.put("status", String.valueOf(this.status));
        params.put("retryAfter", String.valueOf(this.retryAfter));
        params.put("retryAfterFormat", this.retryAfterFormat.configName());
        params.put("delayMs", String.valueOf(this.delayMs));
        params.put("slowMs", String.valueOf(this.slowMs));
        return params;
    }

    /**
     * A one-line description for logs and the demo table.
     * @return the description
     */
    public String describe() {
        String how = switch (this.mode) {
            case ERROR -> String.valueOf(this.status);
            case RATE_LIMIT -> "429 asking " + this.retryAfter + "s as " + this.retryAfterFormat.configName();
            case DROP -> "dropped connection";
            case SLOW -> "200 after " + this.slowMs + "ms";
            case MIXED -> "503 / 429 Retry-After " + this.retryAfter + "s / dropped connection / 200 after " + this.slowMs + "ms";
        };
        return "fail=" + this.fail + " mode=" + this.mode.configName() + " (" + how + ")"
                + (this.delayMs > 0 ? ", every response after " + this.delayMs + "ms" : "");
    }

    private static <T> T param(MultiValueMap<String, String> params, String name, Function<String, T> parser, T fallback) {
        String value = params.getFirst(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return parser.apply(value.trim());
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException("Invalid " + name + " (" + value + "): must be a number", ex);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("Invalid " + name + " (" + value + "): " + ex.getMessage(), ex);
        }
    }

    private static void require(boolean condition, String name, Object value, String requirement) {
        if (!condition) {
            throw new IllegalArgumentException("Invalid " + name + " (" + value + "): " + requirement);
        }
    }

    /** How a misbehaving request fails. */
    public enum Mode {

        /** A response with {@code status} ({@code 503} unless asked otherwise). */
        ERROR,

        /** {@code 429 Too Many Requests} with a {@code Retry-After}. */
        RATE_LIMIT,

        /** The connection is closed without any response. */
        DROP,

        /** A {@code 200} that takes {@code slowMs} to start. */
        SLOW,

        /** Each of the four above, chosen at random with equal odds. */
        MIXED;

        /**
         * The name used in request parameters and properties ({@code rate-limit}, ...).
         * @return the name
         */
        @JsonValue
        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Mode of(String value) {
            for (Mode candidate : values()) {
                if (candidate.configName().equalsIgnoreCase(value) || candidate.name().equalsIgnoreCase(value)) {
                    return candidate;
                }
            }
            throw new IllegalArgumentException("must be one of " + java.util.Arrays.stream(values()).map(Mode::configName)
                .collect(java.util.stream.Collectors.joining(", ")));
        }
    }

    /** How the wait a {@code 429} asks for is written: {@code Retry-After}, or a rate-limit header without one. */
    public enum RetryAfterFormat {

        /** Delta-seconds: {@code Retry-After: 1}. */
        SECONDS,

        /** An HTTP-date: {@code Retry-After: Sat, 28 Nov 2026 11:42:31 GMT}. */
        DATE,

        /** The IETF draft's {@code RateLimit: "default";r=0;t=1}. */
        RATE_LIMIT,

        /** {@code RateLimit-Reset: 1} (delta seconds). */
        RATE_LIMIT_RESET,

        /** GitHub's {@code X-RateLimit-Reset: 1764588151} (Unix epoch seconds). */
        X_RATE_LIMIT_RESET;

        /**
         * The name used in request parameters and properties.
         * @return the name
         */
        @JsonValue
        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static RetryAfterFormat of(String value) {
            for (RetryAfterFormat candidate : values()) {
                if (candidate.configName().equalsIgnoreCase(value) || candidate.name().equalsIgnoreCase(value)) {
                    return candidate;
                }
            }
            throw new IllegalArgumentException("must be one of " + java.util.Arrays.stream(values()).map(RetryAfterFormat::configName)
                .collect(java.util.stream.Collectors.joining(", ")));
        }
    }
}
