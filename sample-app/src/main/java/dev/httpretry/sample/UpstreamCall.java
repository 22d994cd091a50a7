package dev.httpretry.sample;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.httpretry.client.RetryRequests;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.PrematureCloseException;

import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * One call of a demo row to the {@link FlakyUpstream}: a {@code GET} of its {@code /resource} with the
 * scenario's parameters and the run's id, ending in what the caller saw. The factories make it from
 * the clients the demo compares.
 */
@FunctionalInterface
public interface UpstreamCall {

    /**
     * Makes the call.
     * @param run the run's id, sent as the {@value FlakyUpstream#RUN_PARAM} parameter
     * @param scenario how the upstream misbehaves
     * @return how the call ended, never an error
     */
    Mono<RunResult.Call> call(String run, Scenario scenario);

    /**
     * Calls through a {@code WebClient} whose base URL is the upstream's.
     * @param client the client, found on first use
     * @param retrying {@code false} to send each request once ({@link RetryRequests#noRetry()})
     * @return the call
     */
    static UpstreamCall webClient(Supplier<WebClient> client, boolean retrying) {
        return (run, scenario) -> Mono.defer(() -> {
            long start = System.nanoTime();
            WebClient.RequestHeadersSpec<?> request = client.get().get().uri((uri) -> {
                uri.path("/resource");
                params(run, scenario).forEach(uri::queryParam);
                return uri.build();
            });
            if (!retrying) {
                request = request.attributes(RetryRequests.noRetry());
            }
            return request.retrieve()
                .toBodilessEntity()
                .map((response) -> RunResult.Call.ok(System.nanoTime() - start))
                .onErrorResume((error) -> Mono.just(RunResult.Call.failed(describe(error), System.nanoTime() - start)));
        });
    }

    /**
     * Calls through a blocking client (a {@code RestClient}, an HTTP service proxy), each call on a
     * {@code boundedElastic} thread.
     * @param send sends one request with these query parameters, throwing what the client throws
     * @return the call
     */
    static UpstreamCall blocking(Consumer<Map<String, String>> send) {
        return (run, scenario) -> Mono.fromCallable(() -> {
            long start = System.nanoTime();
            try {
                send.accept(params(run, scenario));
                return RunResult.Call.ok(System.nanoTime() - start);
            }
            catch (RuntimeException ex) {
                return RunResult.Call.failed(describe(ex), System.nanoTime() - start);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /**
     * The query parameters of a call: the scenario's, then the run's id.
     * @param run the run's id
     * @param scenario how the upstream misbehaves
     * @return the parameters, in a stable order
     */
    static Map<String, String> params(String run, Scenario scenario) {
        Map<String, String> params = new LinkedHashMap<>(scenario.toParams());
        params.put(FlakyUpstream.RUN_PARAM, run);
        return params;
    }

    /**
     * What a failed call ended with, as the caller sees it: the status, {@code dropped},
     * {@code timeout}, or the root cause's simple class name.
     * @param error what the client threw or signalled
     * @return the description
     */
    static String describe(Throwable error) {
        if (error instanceof WebClientResponseException response) {
            return String.valueOf(response.getStatusCode().value());
        }
        if (error instanceof RestClientResponseException response) {
            return String.valueOf(response.getStatusCode().value());
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof PrematureCloseException) {
                return "dropped";
            }
            if (cause instanceof TimeoutException) {
                return "timeout";
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }
}
