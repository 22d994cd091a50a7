package dev.httpretry.webclient;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import dev.httpretry.client.RetryCalls;
import dev.httpretry.client.RetryWaits;
import dev.httpretry.core.RetryClient;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import io.micrometer.observation.ObservationRegistry;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.util.ClassUtils;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Retries a {@code WebClient} exchange under a client's {@link dev.httpretry.core.RetryPolicy}.
 *
 * <p>Each attempt calls the next exchange function afresh, with a timeout of
 * {@code min(attempt-timeout, time left before the deadline)}; every response that is retried has
 * its body released before the wait; the response that is not retried reaches the caller untouched.
 * Waits and timeouts run on a {@link Scheduler} looked up for each call: by default the shared
 * {@link HashedWheelScheduler} (1 ms tick) when Netty is on the class path, so arming and cancelling
 * each attempt's timer costs next to nothing, else {@link Schedulers#parallel()}; virtual-time tests
 * pass their own ({@link #withScheduler}). A request may pick another client or turn retrying off
 * with {@link dev.httpretry.client.RetryRequests}.
 *
 * <p>Immutable and thread-safe; one instance serves any number of concurrent calls.
 */
public final class RetryExchangeFilterFunction implements ExchangeFilterFunction {

    final RetryCalls calls;

    private final Supplier<Scheduler> scheduler;

    final RetryWaits waits;

    final ObservationRegistry observations;

    /**
     * A filter that retries under the {@value RetryClients#DEFAULT_CLIENT} client's policy.
     * @param clients the clients a request may choose from
     * @param listener told of every attempt, wait and call end
     */
    public RetryExchangeFilterFunction(RetryClients clients, RetryListener listener) {
        // composite: a listener that throws is logged and never breaks a call
        this(new RetryCalls(clients, RetryListener.composite(List.of(listener)), "WebClient"), defaultScheduler(), new RetryWaits(),
                ObservationRegistry.NOOP);
    }

    private RetryExchangeFilterFunction(RetryCalls calls, Supplier<Scheduler> scheduler, RetryWaits waits,
            ObservationRegistry observations) {
        this.calls = calls;
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.waits = Objects.requireNonNull(waits, "waits");
        this.observations = Objects.requireNonNull(observations, "observations");
    }

    /**
     * A filter like this one that retries under another client's policy by default.
     * @param name the client's name
     * @return the filter
     * @throws IllegalArgumentException if there is no client of that name
     */
    public RetryExchangeFilterFunction forClient(String name) {
        return new RetryExchangeFilterFunction(this.calls.forClient(name), this.scheduler, this.waits, this.observations);
    }

    /**
     * A filter like this one whose waits and timeouts run on the given scheduler.
     * @param scheduler looked up once per call
     * @return the filter
     */
    public RetryExchangeFilterFunction withScheduler(Supplier<Scheduler> scheduler) {
        return new RetryExchangeFilterFunction(this.calls, scheduler, this.waits, this.observations);
    }

    /**
     * A filter like this one that observes each attempt in this registry: an observation
     * {@code http.client.retry.attempt}, child of the call's {@code http.client.requests} one, whose
     * trace context (with Micrometer Tracing) goes out in that attempt's request headers; each wait
     * is an event on the call's observation. A no-op registry costs nothing.
     * @param observations the registry, such as the application's {@code ObservationRegistry}
     * @return the filter
     */
    public RetryExchangeFilterFunction withObservationRegistry(ObservationRegistry observations) {
        return new RetryExchangeFilterFunction(this.calls, this.scheduler, this.waits, observations);
    }

    /**
     * The name of the client whose policy applies to requests that do not choose one.
     * @return the client's name
     */
    public String getClientName() {
        return this.calls.clientName();
    }

    /**
     * Installs this filter in a builder as its outermost filter, in place of any retry filter it
     * already has (such as the one the auto-configured builder comes with), so a client never retries
     * twice and every other filter (authentication, logging, tracing) runs once per attempt.
     * @param builder the builder
     * @return the same builder
     */
    public WebClient.Builder applyTo(WebClient.Builder builder) {
        return builder.filters((filters) -> {
            filters.removeIf(RetryExchangeFilterFunction.class::isInstance);
            filters.add(0, this);
        });
    }

    /**
     * A filter like this one whose waits before a next attempt belong to these waits: stopping them
     * ({@link RetryWaits#stop()}, which the auto-configuration does when the application context stops
     * or closes) ends every such wait at once, and a call that would wait while they are stopped ends
     * at once, reason {@code shutdown}. By default a filter has waits of its own, shared with every
     * filter made from it ({@link #forClient}).
     * @param waits the application's waits
     * @return the filter
     */
    public RetryExchangeFilterFunction withWaits(RetryWaits waits) {
        return new RetryExchangeFilterFunction(this.calls, this.scheduler, waits, this.observations);
    }

    /**
     * The waits this filter's calls register with.
     * @return the waits
     */
    public RetryWaits getWaits() {
        return this.waits;
    }

    @Override
    public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
        RetryClient client;
        try {
            client = this.calls.clientFor(request.attributes());
        }
        catch (IllegalArgumentException unknown) {
            return Mono.error(unknown);
        }
        return (client != null) ? new RetryingCall(this, client, request, next) : next.exchange(request);
    }

    /** The scheduler of a call's timeouts and waits, looked up when the call starts. */
    Scheduler scheduler() {
        return this.scheduler.get();
    }

    /** The shared timer wheel when Netty is there (it is whenever Reactor Netty is the connector), else Reactor's parallel scheduler. */
    static Supplier<Scheduler> defaultScheduler() {
        if (ClassUtils.isPresent("io.netty.util.HashedWheelTimer", RetryExchangeFilterFunction.class.getClassLoader())) {
            return Wheel.SHARED;
        }
        return Schedulers::parallel;
    }

    /** Holds the only reference to Netty's timer, so that this class loads without Netty. */
    private static final class Wheel {

        static final Supplier<Scheduler> SHARED = HashedWheelScheduler::shared;

        private Wheel() {
        }
    }

    @Override
    public String toString() {
        return "RetryExchangeFilterFunction[client=" + getClientName() + "]";
    }
}
