package dev.httpretry.restclient;

import java.time.Duration;
import java.util.Locale;

import dev.httpretry.core.ExceptionClassifier;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.RequestReplySenderContext;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpResponse;

/**
 * One RestClient attempt as an observation {@code http.client.retry.attempt}, a child of the call's
 * {@code http.client.requests} observation (the current one while RestClient runs its interceptors):
 * with Micrometer Tracing, a span of its own whose trace context goes out in this attempt's headers,
 * through the registry's propagation. Made only when the registry is not a no-op one.
 */
final class AttemptObservation {

    /** The name of an attempt's observation, as for WebClient. */
    static final String NAME = "http.client.retry.attempt";

    private final Observation observation;

    private final Context context;

    private AttemptObservation(Observation observation, Context context) {
        this.observation = observation;
        this.context = context;
    }

    /**
     * Starts an attempt's observation.
     * @param headers the attempt's own copy of the request headers: tracing writes its trace context there
     */
    static AttemptObservation start(ObservationRegistry registry, String client, int attempt, HttpRequest request,
            HttpHeaders headers) {
        Context context = new Context(headers);
        Observation observation = Observation.createNotStarted(NAME, () -> context, registry)
            .contextualName(request.getMethod().name().toLowerCase(Locale.ROOT) + " attempt " + attempt)
            .lowCardinalityKeyValue("client", client)
            .lowCardinalityKeyValue("attempt", String.valueOf(attempt))
            .lowCardinalityKeyValue("http.request.resend_count", String.valueOf(attempt - 1));
        Observation call = registry.getCurrentObservation();
        if (call != null) {
            observation.parentObservation(call);
        }
        observation.start();
        return new AttemptObservation(observation, context);
    }

    /** Marks a wait before the next attempt on the call's observation, so it shows in the trace. */
    static void waiting(ObservationRegistry registry, int nextAttempt, long delayNanos) {
        Observation call = registry.getCurrentObservation();
        if (call != null) {
            call.event(Observation.Event.of("http.client.retry.wait", "wait " + Duration.ofNanos(delayNanos).toMillis()
                    + "ms before attempt " + nextAttempt));
        }
    }

    /** The attempt got a response with this status. */
    void stop(ClientHttpResponse response, int status) {
        this.context.setResponse(response);
        stop(String.valueOf(status), "none");
    }

    /** The attempt ended without a response. */
    void stop(Throwable error) {
        this.observation.error(error);
        stop("NONE", ExceptionClassifier.rootCauseName(error));
    }

    private void stop(String status, String error) {
        this.observation.lowCardinalityKeyValues(KeyValues.of(KeyValue.of("status", status), KeyValue.of("error", error)));
        this.observation.stop();
    }

    /** Carries the attempt's headers so tracing can write the attempt's trace context into them. */
    static final class Context extends RequestReplySenderContext<HttpHeaders, ClientHttpResponse> {

        Context(HttpHeaders carrier) {
            super((headers, key, value) -> {
                if (headers != null) {
                    headers.set(key, value);
                }
            });
            setCarrier(carrier);
        }
    }
}
