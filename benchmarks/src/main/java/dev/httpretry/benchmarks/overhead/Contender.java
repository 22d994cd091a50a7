package dev.httpretry.benchmarks.overhead;

import dev.httpretry.core.RetrySettings;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import dev.httpretry.core.RetryClients;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetryPolicy;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClientRequest;

import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/**
 * The four ways of calling compared in BENCHMARKS.md, each a {@link WebClient} built from the same
 * base builder (so the same connector and pool): (a) bare, (b) this starter's filter, (c)
 * resilience4j's {@code RetryOperator} on the exchange, (d) Reactor's {@code Retry.backoff} on the
 * exchange. (c) and (d) retry the same statuses as (b), releasing each retried response's body
 * (without that they leak pooled connections), and back off exponentially from the same base.
 */
public enum Contender {

    /** (a) A WebClient without any retry. */
    BARE("(a) bare WebClient") {
        @Override
        WebClient.Builder apply(WebClient.Builder builder, Settings settings) {
            return builder;
        }
    },

    /** (a') A WebClient without retry but with a response timeout, to show what arming a timer costs. */
    BARE_WITH_TIMEOUT("(a') bare WebClient + timeout(10s)") {
        @Override
        WebClient.Builder apply(WebClient.Builder builder, Settings settings) {
            return builder.filter((request, next) -> next.exchange(request).timeout(RetrySettings.DEFAULT_ATTEMPT_TIMEOUT));
        }
    },

    /**
     * (a'') A WebClient without retry but with Reactor Netty's own per-request response timeout
     * (armed on the connection's event loop), set as Spring documents it, through the native request.
     */
    BARE_WITH_RESPONSE_TIMEOUT("(a'') bare WebClient + responseTimeout(10s)", true) {
        @Override
        WebClient.Builder apply(WebClient.Builder builder, Settings settings) {
            return builder.filter((request, next) -> next.exchange(ClientRequest.from(request)
                .httpRequest((http) -> http.<HttpClientRequest>getNativeRequest().responseTimeout(RetrySettings.DEFAULT_ATTEMPT_TIMEOUT))
                .build()));
        }
    },

    /** (b) This starter's RetryExchangeFilterFunction with the given policy, its timers on the default scheduler. */
    STARTER("(b) http-retry filter") {
        @Override
        WebClient.Builder apply(WebClient.Builder builder, Settings settings) {
            return filter(settings).applyTo(builder);
        }
    },

    /** (b') The same filter with its timers on Reactor's parallel scheduler (the default before the timer wheel). */
    STARTER_ON_PARALLEL("(b') http-retry filter on Schedulers.parallel()", true) {
        @Override
        WebClient.Builder apply(WebClient.Builder builder, Settings settings) {
            return filter(settings).withScheduler(Schedulers::parallel).applyTo(builder);
        }
    },

    /** (c) resilience4j-reactor's RetryOperator around the exchange. */
    RESILIENCE4J("(c) resilience4j RetryOperator") {
        @Override
        WebClient.Builder apply(WebClient.Builder builder, Settings settings) {
            RetryConfig config = RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(settings.initialDelay(), 2.0, 0.5,
                        settings.maxDelay()))
                .retryExceptions(RetryableStatusException.class, WebClientRequestException.class, IOException.class)
                .build();
            Retry retry = Retry.of("benchmark", config);
            ExchangeFilterFunction filter = (request, next) -> Mono.defer(() -> next.exchange(request))
                .flatMap(Contender::failOnRetryableStatus)
                .transformDeferred(RetryOperator.of(retry));
            return builder.filter(filter);
        }
    },

    /** (d) Reactor's Retry.backoff around the exchange. */
    REACTOR("(d) Reactor Retry.backoff") {
        @Override
        WebClient.Builder apply(WebClient.Builder builder, Settings settings) {
            ExchangeFilterFunction filter = (request, next) -> Mono.defer(() -> next.exchange(request))
                .flatMap(Contender::failOnRetryableStatus)
                .retryWhen(reactor.util.retry.Retry.backoff(settings.maxAttempts() - 1L, settings.initialDelay())
                    .maxBackoff(settings.maxDelay())
                    .filter((error) -> error instanceof RetryableStatusException
                            || error instanceof WebClientRequestException)
                    .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
            return builder.filter(filter);
        }
    };

    static final Set<Integer> RETRYABLE = Set.of(429, 502, 503, 504);

    private final String label;

    private final boolean timerVariant;

    Contender(String label) {
        this(label, false);
    }

    Contender(String label, boolean timerVariant) {
        this.label = label;
        this.timerVariant = timerVariant;
    }

    /**
     * Whether this contender only shows another timer for (a) or (b): compared on the happy path,
     * left out where timers make no difference to what is measured.
     * @return {@code true} for (a'') and (b')
     */
    public boolean timerVariant() {
        return this.timerVariant;
    }

    private static RetryExchangeFilterFunction filter(Settings settings) {
        RetryPolicy policy = RetryPolicy.builder()
            .maxAttempts(settings.maxAttempts())
            .initialDelay(settings.initialDelay())
            .maxDelay(settings.maxDelay())
            .budgetEnabled(settings.budget())
            .build();
        RetryClients clients = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, policy), Clock.systemUTC());
        return new RetryExchangeFilterFunction(clients, RetryListener.NONE);
    }

    /**
     * The label used in result tables.
     * @return the label
     */
    public String label() {
        return this.label;
    }

    abstract WebClient.Builder apply(WebClient.Builder builder, Settings settings);

    /**
     * Builds this contender's client.
     * @param base the shared base builder (connector, base URL); cloned, not changed
     * @param settings the retry settings all contenders share
     * @return the client
     */
    public WebClient client(WebClient.Builder base, Settings settings) {
        return apply(base.clone(), settings).build();
    }

    private static Mono<org.springframework.web.reactive.function.client.ClientResponse> failOnRetryableStatus(
            org.springframework.web.reactive.function.client.ClientResponse response) {
        HttpStatusCode status = response.statusCode();
        if (RETRYABLE.contains(status.value())) {
            return response.releaseBody().then(Mono.error(new RetryableStatusException(status.value())));
        }
        return Mono.just(response);
    }

    /**
     * The retry settings shared by (b), (c) and (d).
     * @param maxAttempts total attempts
     * @param initialDelay the base delay
     * @param maxDelay the cap
     * @param budget whether (b) uses its retry budget
     */
    public record Settings(int maxAttempts, Duration initialDelay, Duration maxDelay, boolean budget) {
    }

    /** A retryable status, as the exception that resilience4j and Reactor retry on. */
    static final class RetryableStatusException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final int status;

        RetryableStatusException(int status) {
            super("status " + status, null, false, false);
            this.status = status;
        }
    }
}
