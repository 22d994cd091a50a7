package dev.httpretry.micrometer;

import dev.httpretry.client.AttemptObservation;
import io.micrometer.core.instrument.Meter;
import org.jspecify.annotations.Nullable;

/**
 * The descriptions of the meters Micrometer derives from http-retry's observations, which it
 * registers without one ({@link RetryMetrics#descriptions()}).
 */
final class ObservedMeters {

    private ObservedMeters() {
    }

    /** The description of a meter Micrometer derives from one of our observations, or {@code null} for any other. */
    static @Nullable String description(Meter.Id id) {
        String name = id.getName();
        if (name.equals(RetryMetrics.ATTEMPT_OBSERVATION)) {
            return "Attempts of HTTP calls under http-retry, each timed until its response headers or its error";
        }
        if (name.equals(RetryMetrics.ATTEMPT_OBSERVATION + ".active")) {
            return "Attempts of HTTP calls under http-retry in flight now";
        }
        if (id.getType() == Meter.Type.COUNTER && name.endsWith("." + AttemptObservation.WAIT_EVENT)) {
            return "Waits before a retry under http-retry, counted on the call's observation (their lengths: "
                    + RetryMetrics.BACKOFF + ")";
        }
        return null;
    }
}
