package dev.httpretry.webclient;

import dev.httpretry.client.AttemptObservation;
import dev.httpretry.core.RetryExecution;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

import org.springframework.web.reactive.function.client.ClientRequest;

/**
 * The request an attempt sends: the caller's, with the body's recorded bytes on every attempt after
 * the first, its number when {@code attempt-header} is set, and, when calls are observed, its own
 * trace context.
 */
final class AttemptRequests {

    private AttemptRequests() {
    }

    /**
     * The request of the attempt just started; the attempt's observation, if observed, is set on it.
     * @param request the caller's request
     * @param body the caller's body, kept to send again, if any
     * @param execution the call's execution, which has just started the attempt
     * @param observations the application's registry
     * @param caller the caller's context, which holds the call's observation
     * @param attempt the attempt's subscriber
     */
    static ClientRequest of(ClientRequest request, @Nullable ReplayableBody body, RetryExecution execution,
            ObservationRegistry observations, ContextView caller, AttemptSubscriber attempt) {
        ClientRequest sent = (body != null) ? body.request() : request;
        String header = execution.attemptHeader();
        if (header == null && observations.isNoop()) {
            return sent;
        }
        ClientRequest.Builder builder = ClientRequest.from(sent);
        if (header != null) {
            builder.headers((headers) -> headers.set(header, String.valueOf(execution.attempts())));
        }
        if (!observations.isNoop()) {
            attempt.observation = AttemptObservation.start(observations, CallObservation.of(caller), execution.client(),
                    request.method().name(), execution.attempts(), builder,
                    (carrier, key, value) -> {
                        if (carrier != null) {
                            carrier.headers((headers) -> headers.set(key, value));
                        }
                    });
        }
        return builder.build();
    }
}
