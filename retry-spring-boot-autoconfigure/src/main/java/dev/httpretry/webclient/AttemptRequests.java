package dev.httpretry.webclient;

import dev.httpretry.client.AttemptObservation;
import dev.httpretry.client.RetryRequests;
import dev.httpretry.client.RetryWaits;
import dev.httpretry.core.RetryExecution;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.web.reactive.function.client.ClientRequest;

/**
 * The request an attempt sends: the caller's, with the body's recorded bytes on every attempt after
 * the first, its number when {@code attempt-header} is set, when calls are observed its own trace
 * context, and for a hedged call a hook that hands the copy its connection as it is written; under test ({@link RetryWaits#namesClients()}), the name of its client in
 * {@link RetryRequests#ATTRIBUTE}.
 */
final class AttemptRequests {

    private AttemptRequests() {
    }

    /**
     * The request of the attempt just started; the attempt's observation, if observed, is set on it.
     * @param call the call, whose execution has just started the attempt
     * @param attempt the attempt's subscriber
     */
    static ClientRequest of(RetryingCall call, AttemptSubscriber attempt) {
        ClientRequest request = call.request;
        RetryExecution execution = call.execution;
        ObservationRegistry observations = call.filter.observations;
        ClientRequest sent = (call.body != null) ? call.body.request() : request;
        String header = execution.attemptHeader();
        boolean named = call.filter.waits.namesClients() && !request.attributes().containsKey(RetryRequests.ATTRIBUTE);
        boolean hedged = call.hedged();
        if (header == null && observations.isNoop() && !named && !hedged) {
            return sent;
        }
        ClientRequest.Builder builder = ClientRequest.from(sent);
        if (hedged) {
            // a copy may be cancelled while its request is out: its connection must then not be reused
            builder.httpRequest(attempt::writing);
        }
        if (header != null) {
            builder.headers((headers) -> headers.set(header, String.valueOf(execution.attempts())));
        }
        if (named) {
            builder.attribute(RetryRequests.ATTRIBUTE, execution.client());
        }
        if (!observations.isNoop()) {
            attempt.observation = AttemptObservation.start(observations, CallObservation.of(call.actualContext()), execution.client(),
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
