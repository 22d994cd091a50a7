package dev.httpretry.testing;

import dev.httpretry.micrometer.RetryMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Reads the {@value RetryMetrics#ATTEMPTS} counters of a registry. */
public final class MeteredAttempts {

    private MeteredAttempts() {
    }

    /** Every attempt counted. */
    public static long all(MeterRegistry registry) {
        return count(registry, null, null);
    }

    /** The attempts of one method. */
    public static long ofMethod(MeterRegistry registry, String method) {
        return count(registry, method, null);
    }

    /** The attempts of one method that ended with an error whose root cause has this simple name. */
    public static long failedWith(MeterRegistry registry, String method, String error) {
        return count(registry, method, error);
    }

    private static long count(MeterRegistry registry, String method, String error) {
        return (long) registry.find(RetryMetrics.ATTEMPTS).counters().stream()
            .filter((counter) -> method == null || method.equals(counter.getId().getTag("method")))
            .filter((counter) -> error == null || error.equals(counter.getId().getTag("error")))
            .mapToDouble(Counter::count)
            .sum();
    }
}
