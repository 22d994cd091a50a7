package dev.httpretry.client;

import java.time.Duration;
import java.util.Locale;

import dev.httpretry.core.ExceptionClassifier;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.Propagator;
import io.micrometer.observation.transport.RequestReplySenderContext;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of a WebClient or RestClient call as an observation {@value #NAME}, a child of the
 * call's {@code http.client.requests} observation, with the low-cardinality keys {@code client},
 * {@code attempt}, {@code http.request.resend_count}, {@code status} and {@code error}. With
 * Micrometer Tracing it is a span of its own, whose trace context the registry's propagation writes
 * into the attempt's own request (its carrier), replacing the call's, so a server sees which attempt
 * reached it. Each wait is an event {@value #WAIT_EVENT} on the call's observation, which Micrometer's
 * {@code DefaultMeterObservationHandler} also counts as a meter named after both
 * ({@code http.client.requests.retry.wait}). Made only when the registry is not a no-op one. One
 * convention for both client types, so their traces read the same.
 */
public final class AttemptObservation {

    /** The name of an attempt's observation. */
    public static final String NAME = "http.client.retry.attempt";

    /**
     * The name of the event that marks a wait on the call's observation. Micrometer names the counter
     * it derives from an event {@code <observation>.<event>}, so the call's observation name is not
     * repeated here: the counter is {@code http.client.requests.retry.wait}, not
     * {@code http.client.requests.http.client.retry.wait}.
     */
    public static final String WAIT_EVENT = "retry.wait";

    private final Observation observation;

    private final Context<?> context;

    private AttemptObservation(Observation observation, Context<?> context) {
        this.observation = observation;
        this.context = context;
    }

    /**
     * Starts an attempt's observation.
     * @param <C> the type of the carrier
     * @param registry the application's registry
     * @param call the call's observation, the parent, if any
     * @param client the client's name
     * @param method the request method
     * @param attempt the attempt's number
     * @param carrier the attempt's own request (or headers) that tracing writes its trace context into
     * @param setter how a header is set on the carrier
     * @return the started observation
     */
    public static <C> AttemptObservation start(ObservationRegistry registry, @Nullable Observation call, String client,
            String method, int attempt, C carrier, Propagator.Setter<C> setter) {
        Context<C> context = new Context<>(setter, carrier);
        Observation observation = Observation.createNotStarted(NAME, () -> context, registry)
            .contextualName(method.toLowerCase(Locale.ROOT) + " attempt " + attempt)
            .lowCardinalityKeyValue("client", client)
            .lowCardinalityKeyValue("attempt", String.valueOf(attempt))
            .lowCardinalityKeyValue("http.request.resend_count", String.valueOf(attempt - 1));
        if (call != null) {
            observation.parentObservation(call);
        }
        observation.start();
        return new AttemptObservation(observation, context);
    }

    /**
     * Marks a wait before the next attempt on the call's observation, so it shows in the trace.
     * @param call the call's observation, if any
     * @param nextAttempt the number of the attempt after the wait
     * @param delayNanos the wait
     */
    public static void waiting(@Nullable Observation call, int nextAttempt, long delayNanos) {
        if (call != null) {
            call.event(Observation.Event.of(WAIT_EVENT, "wait " + Duration.ofNanos(delayNanos).toMillis()
                    + "ms before attempt " + nextAttempt));
        }
    }

    /**
     * The attempt got a response with this status.
     * @param response the response, for the observation's context
     * @param status its status
     */
    public void stop(Object response, int status) {
        this.context.setResponse(response);
        stop(String.valueOf(status), "none");
    }

    /**
     * The attempt ended without a response.
     * @param error the error, as the call's execution recorded it for the attempt
     */
    public void stop(Throwable error) {
        this.observation.error(error);
        stop("NONE", ExceptionClassifier.rootCauseName(error));
    }

    private void stop(String status, String error) {
        this.observation.lowCardinalityKeyValues(KeyValues.of(KeyValue.of("status", status), KeyValue.of("error", error)));
        this.observation.stop();
    }

    /** Carries the attempt's request so tracing can write the attempt's trace context into it. */
    static final class Context<C> extends RequestReplySenderContext<C, Object> {

        Context(Propagator.Setter<C> setter, C carrier) {
            super(setter);
            setCarrier(carrier);
        }
    }
}
