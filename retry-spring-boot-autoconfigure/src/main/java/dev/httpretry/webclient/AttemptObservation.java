package dev.httpretry.webclient;

import dev.httpretry.core.ExceptionClassifier;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.observation.transport.RequestReplySenderContext;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientRequestObservationContext;
import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * One attempt as an observation {@value #NAME}, a child of the call's {@code http.client.requests}
 * observation: with Micrometer Tracing, a span of its own, whose trace context replaces the call's in
 * the attempt's request headers (through the registry's propagation), so a server sees which attempt
 * reached it. Made only when the registry is not a no-op one.
 */
final class AttemptObservation {

    /** The name of an attempt's observation. */
    static final String NAME = "http.client.retry.attempt";

    /** The name of the event that marks a wait on the call's observation. */
    static final String WAIT_EVENT = "http.client.retry.wait";

    private final Observation observation;

    private final Context context;

    private AttemptObservation(Observation observation, Context context) {
        this.observation = observation;
        this.context = context;
    }

    /**
     * Starts an attempt's observation and returns the request to send, carrying the attempt's own
     * trace context.
     */
    static Started start(ObservationRegistry registry, @Nullable Observation call, String client, int attempt,
            ClientRequest request) {
        ClientRequest.Builder carrier = ClientRequest.from(request);
        Context context = new Context(carrier);
        Observation observation = Observation.createNotStarted(NAME, () -> context, registry)
            .contextualName(request.method().name().toLowerCase(java.util.Locale.ROOT) + " attempt " + attempt)
            .lowCardinalityKeyValue("client", client)
            .lowCardinalityKeyValue("attempt", String.valueOf(attempt))
            .lowCardinalityKeyValue("http.request.resend_count", String.valueOf(attempt - 1));
        if (call != null) {
            observation.parentObservation(call);
        }
        observation.start();
        ClientRequest sent = carrier.build();
        context.setRequest(sent);
        return new Started(new AttemptObservation(observation, context), sent);
    }

    /** Marks a wait before the next attempt on the call's observation, so it shows in the trace. */
    static void waiting(@Nullable Observation call, int nextAttempt, long delayNanos) {
        if (call != null) {
            call.event(Observation.Event.of(WAIT_EVENT, "wait " + java.time.Duration.ofNanos(delayNanos).toMillis()
                    + "ms before attempt " + nextAttempt));
        }
    }

    /**
     * The call's {@code http.client.requests} observation, when the WebClient observes its calls.
     * @param context the caller's context
     */
    static @Nullable Observation call(ContextView context) {
        return context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
    }

    /**
     * Boot's {@code http.client.requests} observation keeps the last response an attempt produced;
     * a retried one is not what the caller gets, so it is forgotten (the next attempt sets its own).
     */
    @SuppressWarnings("NullAway") // RequestReplySenderContext.setResponse takes null, but is not annotated so
    static void forgetResponse(ContextView context) {
        Observation observation = call(context);
        if (observation != null && observation.getContext() instanceof ClientRequestObservationContext observed) {
            observed.setResponse(null);
        }
    }

    /**
     * Sets the call's response again: a hedged call's copies each report theirs to the call's
     * observation as they arrive, so the one the call ends with is set last.
     */
    static void keepResponse(ContextView context, ClientResponse response) {
        Observation observation = call(context);
        if (observation != null && observation.getContext() instanceof ClientRequestObservationContext observed) {
            observed.setResponse(response);
        }
    }

    /** The attempt got a response. */
    void stop(ClientResponse response) {
        this.context.setResponse(response);
        stop(String.valueOf(response.statusCode().value()), "none");
    }

    /** The attempt ended without a response: an error, its timeout, or the caller's cancel. */
    void stop(Throwable error) {
        this.observation.error(error);
        stop("NONE", ExceptionClassifier.rootCauseName(error));
    }

    private void stop(String status, String error) {
        this.observation.lowCardinalityKeyValues(KeyValues.of(KeyValue.of("status", status), KeyValue.of("error", error)));
        this.observation.stop();
    }

    /** The attempt's request and its observation. */
    record Started(AttemptObservation observation, ClientRequest request) {
    }

    /** Carries the attempt's request so tracing can write the attempt's trace context into its headers. */
    static final class Context extends RequestReplySenderContext<ClientRequest.Builder, ClientResponse> {

        private @Nullable ClientRequest request;

        Context(ClientRequest.Builder carrier) {
            super((builder, key, value) -> {
                if (builder != null) {
                    builder.headers((headers) -> headers.set(key, value));
                }
            });
            setCarrier(carrier);
        }

        @Nullable ClientRequest getRequest() {
            return this.request;
        }

        void setRequest(ClientRequest request) {
            this.request = request;
        }
    }
}
