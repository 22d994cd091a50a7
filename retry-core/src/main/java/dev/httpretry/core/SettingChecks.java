package dev.httpretry.core;

import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checks of the settings of {@link RetrySettings}, shared by its records, {@link Backoff} and the
 * {@link RetryPolicy.Builder} setters, so a value is refused with the same
 * {@link InvalidSettingException} (the setting as configured, the value and what is allowed) wherever
 * it is set. Pure functions.
 */
final class SettingChecks {

    private SettingChecks() {
    }

    /**
     * Checks {@code hedging.max-hedges}: the extra copies and the first attempt must fit in
     * {@link RetrySettings#MAX_ATTEMPTS_LIMIT}.
     * @param maxHedges the value
     * @return the value
     * @throws InvalidSettingException if it is negative or too large
     */
    static int checkMaxHedges(int maxHedges) {
        if (maxHedges < 0 || maxHedges >= RetrySettings.MAX_ATTEMPTS_LIMIT) {
            throw new InvalidSettingException("hedging.max-hedges", String.valueOf(maxHedges),
                    "must be between 0 and " + (RetrySettings.MAX_ATTEMPTS_LIMIT - 1));
        }
        return maxHedges;
    }

    /**
     * Checks {@code max-attempts}: 1 to {@link RetrySettings#MAX_ATTEMPTS_LIMIT}.
     * @param maxAttempts the value
     * @return the value
     * @throws InvalidSettingException if it is out of range
     */
    static int checkMaxAttempts(int maxAttempts) {
        if (maxAttempts < 1 || maxAttempts > RetrySettings.MAX_ATTEMPTS_LIMIT) {
            throw new InvalidSettingException("max-attempts", String.valueOf(maxAttempts),
                    maxAttempts < 1 ? "must be at least 1" : "must be at most " + RetrySettings.MAX_ATTEMPTS_LIMIT);
        }
        return maxAttempts;
    }

    /**
     * Checks {@code backoff.multiplier}: a finite number of at least 1.0, so delays never shrink.
     * @param multiplier the value
     * @return the value
     * @throws InvalidSettingException if it is below 1.0, infinite or NaN
     */
    static double checkMultiplier(double multiplier) {
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new InvalidSettingException("backoff.multiplier", String.valueOf(multiplier),
                    "must be a finite number of at least 1.0");
        }
        return multiplier;
    }

    /**
     * Checks {@code statuses}: 4xx and 5xx only, never one of {@link RetrySettings#NEVER_RETRIED_STATUSES},
     * and not 500, which {@code server-error-retries} governs.
     * @param statuses the value
     * @return a sorted, unmodifiable copy
     * @throws InvalidSettingException if a status is not allowed
     */
    static Set<Integer> checkStatuses(Set<Integer> statuses) {
        Set<Integer> copy = new TreeSet<>();
        for (Integer status : statuses) {
            Objects.requireNonNull(status, "status");
            String requirement = null;
            if (status < 400 || status > 599) {
                requirement = "must be a 4xx or 5xx status";
            }
            else if (RetrySettings.NEVER_RETRIED_STATUSES.contains(status)) {
                requirement = "400, 401, 403 and 404 are never retried";
            }
            else if (status == 500) {
                requirement = "500 is retried as often as server-error-retries says, not through statuses";
            }
            if (requirement != null) {
                throw new InvalidSettingException("statuses", String.valueOf(status), requirement);
            }
            copy.add(status);
        }
        return Collections.unmodifiableSet(copy);
    }

    /**
     * Checks {@code server-error-retries}: zero or positive.
     * @param retries the value
     * @return the value
     * @throws InvalidSettingException if it is negative
     */
    static int checkServerErrorRetries(int retries) {
        if (retries < 0) {
            throw new InvalidSettingException("server-error-retries", String.valueOf(retries), "must be zero or positive");
        }
        return retries;
    }

    /**
     * Checks {@code methods}: HTTP method names (RFC 9110 tokens), kept in upper case.
     * @param methods the value
     * @return a sorted, unmodifiable, upper-case copy
     * @throws InvalidSettingException if a name is empty or not a token
     */
    static Set<String> checkMethods(Set<String> methods) {
        Set<String> copy = new TreeSet<>();
        for (String method : methods) {
            Objects.requireNonNull(method, "method");
            if (method.isEmpty() || !method.chars().allMatch(SettingChecks::isTokenChar)) {
                throw new InvalidSettingException("methods", method, "must be an HTTP method name such as GET or PUT");
            }
            copy.add(method.toUpperCase(Locale.ROOT));
        }
        return Collections.unmodifiableSet(copy);
    }

    /**
     * Checks {@code budget.ratio}: 0 to 1000.
     * @param ratio the value
     * @return the value
     * @throws InvalidSettingException if it is out of range or NaN
     */
    static double checkRatio(double ratio) {
        if (!(ratio >= 0 && ratio <= 1000)) {
            throw new InvalidSettingException("budget.ratio", String.valueOf(ratio), "must be between 0 and 1000");
        }
        return ratio;
    }

    /**
     * Checks {@code budget.min-retries-per-second}: zero or positive.
     * @param minRetriesPerSecond the value
     * @return the value
     * @throws InvalidSettingException if it is negative
     */
    static int checkMinRetriesPerSecond(int minRetriesPerSecond) {
        if (minRetriesPerSecond < 0) {
            throw new InvalidSettingException("budget.min-retries-per-second", String.valueOf(minRetriesPerSecond),
                    "must be zero or positive");
        }
        return minRetriesPerSecond;
    }

    /**
     * Checks {@code budget.max-destinations}: at least 1.
     * @param maxDestinations the value
     * @return the value
     * @throws InvalidSettingException if it is below 1
     */
    static int checkMaxDestinations(int maxDestinations) {
        if (maxDestinations < 1) {
            throw new InvalidSettingException("budget.max-destinations", String.valueOf(maxDestinations), "must be at least 1");
        }
        return maxDestinations;
    }

    /**
     * Checks {@code body-replay-limit}: 0 to {@link RetrySettings#MAX_BODY_REPLAY_LIMIT} bytes, what one
     * array holds.
     * @param bytes the value
     * @return the value
     * @throws InvalidSettingException if it is out of range
     */
    static long checkBodyReplayLimit(long bytes) {
        if (bytes < 0 || bytes > RetrySettings.MAX_BODY_REPLAY_LIMIT) {
            throw new InvalidSettingException("body-replay-limit", bytes + "B",
                    "must be between 0B and " + RetrySettings.MAX_BODY_REPLAY_LIMIT + "B");
        }
        return bytes;
    }

    /**
     * Checks {@code attempt-header}: an HTTP header name (an RFC 9110 token), or empty for none.
     * @param header the value
     * @return the value
     * @throws InvalidSettingException if it is neither empty nor a token
     */
    static String checkAttemptHeader(String header) {
        Objects.requireNonNull(header, "attempt-header");
        if (!header.isEmpty() && !header.chars().allMatch(SettingChecks::isTokenChar)) {
            throw new InvalidSettingException("attempt-header", header, "must be an HTTP header name such as X-Retry-Attempt, or empty");
        }
        return header;
    }

    /**
     * Checks a duration that may be zero but not negative.
     * @param setting the setting's name as configured, for the message
     * @param value the value
     * @return the value
     * @throws InvalidSettingException if it is negative
     */
    static Duration notNegative(String setting, Duration value) {
        Objects.requireNonNull(value, setting);
        if (value.isNegative()) {
            throw new InvalidSettingException(setting, Durations.format(value), "must be zero or positive");
        }
        return value;
    }

    /**
     * Checks a duration that must be longer than zero.
     * @param setting the setting's name as configured, for the message
     * @param value the value
     * @return the value
     * @throws InvalidSettingException if it is zero or negative
     */
    static Duration positive(String setting, Duration value) {
        Objects.requireNonNull(value, setting);
        if (value.isNegative() || value.isZero()) {
            throw new InvalidSettingException(setting, Durations.format(value), "must be positive");
        }
        return value;
    }

    private static boolean isTokenChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
