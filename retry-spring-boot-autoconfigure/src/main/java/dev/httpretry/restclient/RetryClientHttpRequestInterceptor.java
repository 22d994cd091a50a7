package dev.httpretry.restclient;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.List;
import java.util.Objects;

import dev.httpretry.client.RetryWaits;
import dev.httpretry.core.ExceptionClassifier;
import dev.httpretry.core.Outcome;
import dev.httpretry.core.RateLimitReset;
import dev.httpretry.core.RetryBudget;
import dev.httpretry.core.RetryClient;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryExecution;
import dev.httpretry.core.RetryListener;
import dev.httpretry.client.RetryLog;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.http.client.support.HttpRequestWrapper;
import org.springframework.web.client.RestClient;

/**
 * Retries a {@code RestClient} exchange under a client's {@link dev.httpretry.core.RetryPolicy}, on
 * the calling thread: the blocking twin of {@code RetryExchangeFilterFunction}. It holds only what
 * is blocking-specific; every decision, count, the deadline and the events come from the call's
 * {@link RetryExecution}.
 *
 * <p>Each attempt sends the same body bytes through the rest of the chain, bounded by
 * {@code min(attempt-timeout, time left before the deadline)}: a timer interrupts the calling thread
 * when the time is up, which aborts the request on the request factories whose wait for the
 * response is interruptible (Reactor Netty's and the JDK {@code HttpClient}'s), and the interrupt is
 * then cleared. Every response that is retried is released before the wait: its body read and
 * thrown away for at most 64 KiB and 1 s, or dropped with its connection ({@link ResponseRelease}).
 * Waits park the calling thread ({@code LockSupport.parkNanos}, no monitor held, so a virtual thread leaves its carrier);
 * an interrupt of the caller ends the call at once with the interrupt flag kept, and
 * stopping its {@link RetryWaits} ends every wait at once. The last response reaches the caller untouched. A
 * request may pick another client or turn retrying off with {@link RestClientRetryRequests}.
 *
 * <p>Thread-safe; one instance serves any number of concurrent calls.
 */
public final class RetryClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final RetryClients clients;

    private final String clientName;

    private final RetryListener listener;

    private final RetryWaits waits;

    private final ObservationRegistry observations;

    /**
     * An interceptor that retries under the {@value RetryClients#DEFAULT_CLIENT} client's policy.
     * @param clients the clients a request may choose from
     * @param listener told of every attempt, wait and call end
     */
    public RetryClientHttpRequestInterceptor(RetryClients clients, RetryListener listener) {
        this(clients, RetryClients.DEFAULT_CLIENT, RetryListener.composite(List.of(listener)), new RetryWaits(),
                ObservationRegistry.NOOP);
    }

    private RetryClientHttpRequestInterceptor(RetryClients clients, String clientName, RetryListener listener,
            RetryWaits waits, ObservationRegistry observations) {
        this.clients = Objects.requireNonNull(clients, "clients");
        this.clientName = clients.get(clientName).name();
        this.listener = listener;
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
        return new RetryClientHttpRequestInterceptor(this.clients, name, this.listener, this.waits, this.observations);
    }

    /**
     * An interceptor like this one that observes each attempt in this registry, as the WebClient
     * filter does: an observation {@code http.client.retry.attempt}, child of the call's
     * {@code http.client.requests} one, whose trace context goes out in that attempt's headers; each
     * wait is an event on the call's observation. A no-op registry costs nothing.
     * @param observations the registry, such as the application's {@code ObservationRegistry}
     * @return the interceptor
     */
    public RetryClientHttpRequestInterceptor withObservationRegistry(ObservationRegistry observations) {
        return new RetryClientHttpRequestInterceptor(this.clients, this.clientName, this.listener, this.waits, observations);
    }

    /**
     * The name of the client whose policy applies to requests that do not choose one.
     * @return the client's name
     */
    public String getClientName() {
        return this.clientName;
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
        return new RetryClientHttpRequestInterceptor(this.clients, this.clientName, this.listener, waits, this.observations);
    }

    /**
     * The waits this interceptor's calls register with.
     * @return the waits
     */
    public RetryWaits getWaits() {
        return this.waits;
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        Object selected = request.getAttributes().getOrDefault(RestClientRetryRequests.ATTRIBUTE, this.clientName);
        if (selected == RestClientRetryRequests.NO_RETRY) {
            return execution.execute(request, body);
        }
        RetryClient client = this.clients.find(String.valueOf(selected));
        if (client == null) {
            throw new IllegalArgumentException("No retry client named '" + selected + "' (request attribute "
                    + RestClientRetryRequests.ATTRIBUTE + "); the clients are " + this.clients.names());
        }
        if (!client.enabled()) {
            return execution.execute(request, body);
        }
        URI url = request.getURI();
        RetryBudget budget = client.budgets().forDestination(String.valueOf(url.getScheme()), String.valueOf(url.getHost()),
                url.getPort());
        RetryExecution call = client.policy().start(client.name(), request.getMethod().name(),
                request.getHeaders().containsHeader(IDEMPOTENCY_KEY), budget, RetryLog.wrap("RestClient", url, this.listener), System::nanoTime);
        if (body.length > client.policy().settings().bodyReplayLimit()) {
            // RestClient hands interceptors the whole body, but a body above the limit is sent once, as WebClient sends it
            call.bodyNotReplayable();
        }
        while (true) {
            if (!call.startAttempt()) {
                throw failure(call);
            }
            ClientHttpResponse response = null;
            IOException ioError = null;
            RuntimeException uncheckedError = null;
            AttemptTimer attempt = AttemptTimer.start(call.attemptTimeoutNanos());
            HttpRequest sent = attemptRequest(request, call);
            AttemptObservation observed = null;
            if (!this.observations.isNoop()) {
                HttpHeaders headers = new HttpHeaders();
                headers.putAll(sent.getHeaders());
                observed = AttemptObservation.start(this.observations, client.name(), call.attempts(), request, headers);
                sent = withHeaders(sent, headers);
            }
            try {
                response = execution.execute(sent, body);
            }
            catch (IOException ex) {
                ioError = ex;
            }
            catch (RuntimeException ex) {
                uncheckedError = ex;
            }
            catch (Error fatal) {
                attempt.finish();
                call.onCancel(true);
                throw fatal;
            }
            Exception error = (ioError != null) ? ioError : uncheckedError;
            RetryDecision decision;
            if (attempt.finish()) {
                // the time was up first (a response that arrived just then loses, as it does for WebClient)
                if (response != null) {
                    closeQuietly(response);
                }
                decision = call.onAttemptTimeout();
                if (observed != null && call.lastOutcome() instanceof Outcome.Failure timedOut) {
                    // the attempt timed out, whatever the interrupted request threw: reported as the execution recorded it
                    observed.stop(timedOut.error());
                }
            }
            else if (error != null) {
                if (interruptedByCaller(error)) {
                    call.onCancel(true);
                    observe(observed, null, (call.lastOutcome() instanceof Outcome.Failure cancelled) ? cancelled.error() : error);
                    Thread.currentThread().interrupt();
                    if (ioError != null) {
                        throw ioError;
                    }
                    throw Objects.requireNonNull(uncheckedError);
                }
                observe(observed, null, error);
                decision = call.onOutcome(Outcome.failure(error));
            }
            else {
                ClientHttpResponse received = Objects.requireNonNull(response, "response");
                observe(observed, received, null);
                decision = decide(call, received);
                if (decision instanceof RetryDecision.Stop) {
                    // not retried, or the last: the caller gets it untouched (an unreadable status included)
                    return received;
                }
                ResponseRelease.release(received, call.timeLeftNanos());
            }
            if (decision instanceof RetryDecision.Retry retry) {
                if (!this.observations.isNoop()) {
                    AttemptObservation.waiting(this.observations, call.attempts() + 1, retry.delay().toNanos());
                }
                await(call, retry.delay().toNanos());
            }
            else {
                throw failure(call);
            }
        }
    }

    /** Decides on a response; one whose status cannot be read is an I/O failure of the attempt. */
    private static RetryDecision decide(RetryExecution call, ClientHttpResponse response) {
        int status;
        try {
            status = response.getStatusCode().value();
        }
        catch (IOException | RuntimeException ex) {
            return call.onOutcome(Outcome.failure(ex));
        }
        if (status < 400) {
            return call.onSuccess(status);
        }
        HttpHeaders headers = response.getHeaders();
        List<String> rateLimit = headers.get(RateLimitReset.RATE_LIMIT);
        return call.onOutcome(Outcome.response(status, headers.getFirst(HttpHeaders.RETRY_AFTER),
                (rateLimit != null) ? String.join(", ", rateLimit) : null, headers.getFirst(RateLimitReset.RATE_LIMIT_RESET),
                headers.getFirst(RateLimitReset.X_RATE_LIMIT_RESET)));
    }

    /** Every attempt sends the same body bytes; those after the first carry their number when {@code attempt-header} is set. */
    private static HttpRequest attemptRequest(HttpRequest request, RetryExecution call) {
        int number = call.attempts();
        String header = (number > 1) ? call.settings().attemptHeader() : "";
        if (header.isEmpty()) {
            return request;
        }
        HttpHeaders headers = new HttpHeaders();
        headers.putAll(request.getHeaders());
        headers.set(header, String.valueOf(number));
        return withHeaders(request, headers);
    }

    private static HttpRequest withHeaders(HttpRequest request, HttpHeaders headers) {
        return new HttpRequestWrapper(request) {
            @Override
            public HttpHeaders getHeaders() {
                return headers;
            }
        };
    }

    /** Ends an attempt's observation, if any, with what the attempt produced. */
    private static void observe(@Nullable AttemptObservation observed, @Nullable ClientHttpResponse response,
            @Nullable Throwable error) {
        if (observed == null) {
            return;
        }
        if (response != null) {
            try {
                observed.stop(response, response.getStatusCode().value());
                return;
            }
            catch (IOException | RuntimeException unreadable) {
                observed.stop(unreadable);
                return;
            }
        }
        observed.stop((error != null) ? error : new IOException("No response"));
    }

    /** Waits before the next attempt; a wait that cannot end as planned ends the call. */
    private void await(RetryExecution call, long nanos) throws IOException {
        BlockingWaits.End end = BlockingWaits.await(this.waits, nanos);
        if (end == BlockingWaits.End.INTERRUPTED) {
            call.onCancel(false);
            throw new InterruptedIOException("Interrupted while waiting " + nanos / 1_000_000
                    + "ms before attempt " + (call.attempts() + 1) + "; the interrupt flag is kept");
        }
        if (end == BlockingWaits.End.STOPPED) {
            call.onShutdown(RetryWaits.stoppedError());
            throw failure(call);
        }
    }

    /**
     * The exception that ends a call, as a {@code RestClient} caller expects one: an I/O error (which
     * {@code RestClient} turns into a {@code ResourceAccessException}) or an unchecked exception as
     * raised. Anything else, such as the deadline's {@code TimeoutException}, becomes the cause of an
     * {@link IOException} with the same message.
     */
    private static IOException failure(RetryExecution call) {
        Throwable error = call.failure();
        if (error instanceof IOException io) {
            return io;
        }
        if (error instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (error instanceof Error fatal) {
            throw fatal;
        }
        return new IOException(error.getMessage(), error);
    }

    /** An attempt that failed because the caller's thread was interrupted, not by the attempt timer. */
    private static boolean interruptedByCaller(Throwable error) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable link : ExceptionClassifier.causeChain(error)) {
            if (link instanceof InterruptedException || link instanceof InterruptedIOException
                    && !(link instanceof java.net.SocketTimeoutException)) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(ClientHttpResponse response) {
        try {
            response.close();
        }
        catch (RuntimeException ex) {
            // a response that fails to close is no reason to fail the call
        }
    }

    @Override
    public String toString() {
        return "RetryClientHttpRequestInterceptor[client=" + this.clientName + "]";
    }
}
