package dev.httpretry.restclient;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

import dev.httpretry.client.RetryCalls;
import dev.httpretry.client.RetryRequests;
import dev.httpretry.client.RetryWaits;
import dev.httpretry.core.RetryClient;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryExecution;
import dev.httpretry.core.RetryListener;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;

/**
 * Retries a {@code RestClient} exchange under a client's {@link dev.httpretry.core.RetryPolicy}, on
 * the calling thread: the blocking twin of {@code RetryExchangeFilterFunction}. Every decision,
 * count, the deadline and the events come from the call's {@link RetryExecution}; each call's loop
 * is a {@link BlockingCall}.
 *
 * <p>Each attempt sends the same body bytes through the rest of the chain, bounded by
 * {@code min(attempt-timeout, time left before the deadline)}: a timer interrupts the calling thread
 * when the time is up, which aborts the request on the request factories whose wait for the response
 * is interruptible (Reactor Netty's and the JDK {@code HttpClient}'s), and the interrupt is then
 * cleared. Every response that is retried is released before the wait ({@link ResponseRelease}).
 * Waits park the calling thread ({@code LockSupport.parkNanos}, no monitor held, so a virtual thread
 * leaves its carrier); an interrupt of the caller ends the call at once with the interrupt flag kept,
 * and stopping its {@link RetryWaits} ends every wait at once. The last response reaches the caller
 * untouched. A request may pick another client or turn retrying off with
 * {@link dev.httpretry.client.RetryRequests}.
 *
 * <p>Thread-safe; one instance serves any number of concurrent calls.
 */
public final class RetryClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {

    private final RetryCalls calls;

    final RetryWaits waits;

    final ObservationRegistry observations;

    /**
     * An interceptor that retries under the {@value RetryClients#DEFAULT_CLIENT} client's policy.
     * @param clients the clients a request may choose from
     * @param listener told of every attempt, wait and call end
     */
    public RetryClientHttpRequestInterceptor(RetryClients clients, RetryListener listener) {
        this(new RetryCalls(clients, RetryListener.composite(List.of(listener)), "RestClient"), new RetryWaits(),
                ObservationRegistry.NOOP);
    }

    private RetryClientHttpRequestInterceptor(RetryCalls calls, RetryWaits waits, ObservationRegistry observations) {
        this.calls = calls;
        this.waits = Objects.requireNonNull(waits, "waits");
        this.observations = Objects.requireNonNull(observations, "observations");
    }

    /**
     * An interceptor like this one that retries under another client's policy by default; it shares
     * this one's waits.
     * @param name the client's name
     * @return the interceptor
     * @throws IllegalArgumentException if there is no client of that name
     */
    public RetryClientHttpRequestInterceptor forClient(String name) {
        return new RetryClientHttpRequestInterceptor(this.calls.forClient(name), this.waits, this.observations);
    }

    /**
     * An interceptor like this one that observes each attempt in this registry, as the WebClient
     * filter does ({@link dev.httpretry.client.AttemptObservation}). A no-op registry costs nothing.
     * @param observations the registry, such as the application's {@code ObservationRegistry}
     * @return the interceptor
     */
    public RetryClientHttpRequestInterceptor withObservationRegistry(ObservationRegistry observations) {
        return new RetryClientHttpRequestInterceptor(this.calls, this.waits, observations);
    }

    /**
     * An interceptor like this one whose waits before a next attempt belong to these waits: stopping
     * them ({@link RetryWaits#stop()}, which the auto-configuration does when the application context
     * stops or closes) wakes every waiting thread at once, and a call that would wait while they are
     * stopped ends at once, reason {@code shutdown}. By default an interceptor has waits of its own,
     * shared with every interceptor made from it ({@link #forClient}).
     * @param waits the application's waits
     * @return the interceptor
     */
    public RetryClientHttpRequestInterceptor withWaits(RetryWaits waits) {
        return new RetryClientHttpRequestInterceptor(this.calls, waits, this.observations);
    }

    /**
     * The waits this interceptor's calls register with.
     * @return the waits
     */
    public RetryWaits getWaits() {
        return this.waits;
    }

    /**
     * The name of the client whose policy applies to requests that do not choose one.
     * @return the client's name
     */
    public String getClientName() {
        return this.calls.clientName();
    }

    /**
     * Installs this interceptor in a builder as its outermost interceptor, in place of any retry
     * interceptor it already has (such as the one the auto-configured builder comes with), so a
     * client never retries twice and every other interceptor runs once per attempt.
     * @param builder the builder
     * @return the same builder
     */
    public RestClient.Builder applyTo(RestClient.Builder builder) {
        return builder.requestInterceptors((interceptors) -> {
            interceptors.removeIf(RetryClientHttpRequestInterceptor.class::isInstance);
            interceptors.add(0, this);
        });
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        RetryClient client = this.calls.clientFor(request.getAttributes());
        if (client == null) {
            return execution.execute(request, body);
        }
        if (this.waits.namesClients()) {
            // under test, what runs below names the client (a request's attributes are its own, and mutable)
            request.getAttributes().putIfAbsent(RetryRequests.ATTRIBUTE, client.name());
        }
        RetryExecution call = this.calls.start(client, request.getAttributes(), request.getMethod().name(), request.getURI(),
                request.getHeaders()::get, System::nanoTime);
        if (body.length > client.policy().settings().bodyReplayLimit()) {
            // RestClient hands interceptors the whole body, but a body above the limit is sent once, as WebClient sends it
            call.bodyNotReplayable();
        }
        return new BlockingCall(call, request, body, execution, this).run();
    }

    @Override
    public String toString() {
        return "RetryClientHttpRequestInterceptor[client=" + getClientName() + "]";
    }
}
