package dev.httpretry.webclient;

import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

import org.springframework.web.reactive.function.client.ClientRequestObservationContext;
import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * The call's {@code http.client.requests} observation, as WebClient keeps it in the subscriber's
 * context, and the response it reports: always the one the caller gets.
 */
final class CallObservation {

    private CallObservation() {
    }

    /**
     * The call's {@code http.client.requests} observation, when the WebClient observes its calls.
     * @param context the caller's context
     */
    static @Nullable Observation of(ContextView context) {
        return context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
    }

    /**
     * Boot's {@code http.client.requests} observation keeps the last response an attempt produced;
     * a retried one is not what the caller gets, so it is forgotten (the next attempt sets its own).
     */
    @SuppressWarnings("NullAway") // RequestReplySenderContext.setResponse takes null, but is not annotated so
    static void forgetResponse(ContextView context) {
        Observation observation = of(context);
        if (observation != null && observation.getContext() instanceof ClientRequestObservationContext observed) {
            observed.setResponse(null);
        }
    }

    /**
     * Sets the call's response again: a hedged call's copies each report theirs to the call's
     * observation as they arrive, so the one the call ends with is set last.
     */
    static void keepResponse(ContextView context, ClientResponse response) {
        Observation observation = of(context);
        if (observation != null && observation.getContext() instanceof ClientRequestObservationContext observed) {
            observed.setResponse(response);
        }
    }
}
