package dev.httpretry.restclient;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Objects;

import dev.httpretry.client.AttemptObservation;
import dev.httpretry.client.RetryWaits;
import dev.httpretry.core.ExceptionClassifier;
import dev.httpretry.core.Outcome;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryExecution;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.http.client.support.HttpRequestWrapper;

/**
 * One RestClient call on the calling thread: its attempts through the rest of the interceptor
 * chain, each bounded by an {@link AttemptTimer} and observed, the decision on each from the call's
 * {@link RetryExecution}, the release of every retried response and the waits between attempts.
 */
final class BlockingCall {

    private final RetryExecution call;

    private final HttpRequest request;

    private final byte[] body;

    private final ClientHttpRequestExecution execution;

    private final RetryWaits waits;

    private final ObservationRegistry observations;

    BlockingCall(RetryExecution call, HttpRequest request, byte[] body, ClientHttpRequestExecution execution,
            RetryClientHttpRequestInterceptor interceptor) {
        this.call = call;
        this.request = request;
        this.body = body;
        this.execution = execution;
        this.waits = interceptor.waits;
        this.observations = interceptor.observations;
    }

    /** Sends attempts until one is not retried: its response goes to the caller untouched, or the call's exception is thrown. */
    ClientHttpResponse run() throws IOException {
        RetryExecution call = this.call;
        while (true) {
            long turn = call.turnNanos();
            if (turn < 0) {
                throw failure();
            }
            if (turn > 0) {
                // the destination's learned rate: its turn is a real wait, even in a test that skips waits
                await(turn, false);
            }
            if (!call.startAttempt()) {
                throw failure();
            }
            ClientHttpResponse response = null;
            IOException ioError = null;
            RuntimeException uncheckedError = null;
            AttemptTimer attempt = AttemptTimer.start(call.attemptTimeoutNanos());
            String attemptHeader = call.attemptHeader();
            HttpHeaders headers = null;
            if (attemptHeader != null || !this.observations.isNoop()) {
                // the attempt's own headers: its number, its trace context
                headers = new HttpHeaders();
                headers.putAll(this.request.getHeaders());
                if (attemptHeader != null) {
                    headers.set(attemptHeader, String.valueOf(call.attempts()));
                }
            }
            AttemptObservation observed = (headers == null || this.observations.isNoop()) ? null
                    : AttemptObservation.start(this.observations, this.observations.getCurrentObservation(), call.client(),
                            this.request.getMethod().name(), call.attempts(), headers, (carrier, key, value) -> {
                                if (carrier != null) {
                                    carrier.set(key, value);
                                }
                            });
            try {
                response = this.execution.execute((headers != null) ? withHeaders(headers) : this.request, this.body);
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
                // the attempt timed out, whatever the interrupted request threw: reported as the execution recorded it
                observe(observed, null, lastError(error));
            }
            else if (error != null) {
                if (interruptedByCaller(error)) {
                    call.onCancel(true);
                    observe(observed, null, lastError(error));
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
                decision = decide(received);
                if (decision instanceof RetryDecision.Stop) {
                    // not retried, or the last: the caller gets it untouched (an unreadable status included)
                    return received;
                }
                ResponseRelease.release(received, call.releaseNanos());
            }
            if (!(decision instanceof RetryDecision.Retry retry)) {
                throw failure();
            }
            if (!this.observations.isNoop()) {
                AttemptObservation.waiting(this.observations.getCurrentObservation(), call.attempts() + 1, retry.delay().toNanos());
            }
            await(retry.delay().toNanos(), this.waits.skipsWaits());
        }
    }

    /** Decides on a response; one whose status cannot be read is an I/O failure of the attempt. */
    private RetryDecision decide(ClientHttpResponse response) {
        int status;
        try {
            status = response.getStatusCode().value();
        }
        catch (IOException | RuntimeException ex) {
            return this.call.onOutcome(Outcome.failure(ex));
        }
        return this.call.onResponse(this.call.attempts(), status, response.getHeaders()::get);
    }

    /** The attempt's request: the caller's, with the attempt's own headers (its number, its trace context). */
    private HttpRequest withHeaders(HttpHeaders headers) {
        return new HttpRequestWrapper(this.request) {
            @Override
            public HttpHeaders getHeaders() {
                return headers;
            }
        };
    }

    /** The error the execution recorded for the attempt it just decided on (a timeout, a cancel), else the one raised. */
    private Throwable lastError(@Nullable Exception raised) {
        if (this.call.lastOutcome() instanceof Outcome.Failure failure) {
            return failure.error();
        }
        return (raised != null) ? raised : new IOException("No response");
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

    /** Waits before the next attempt (or its turn); a wait that cannot end as planned ends the call. */
    private void await(long nanos, boolean skip) throws IOException {
        long toWait = nanos;
        if (skip) {
            // a test that skips waits: the call's clock moves on instead, so every later decision is the same
            this.call.skipWait(nanos);
            toWait = 0;
        }
        BlockingWaits.End end = BlockingWaits.await(this.waits, toWait);
        if (end == BlockingWaits.End.INTERRUPTED) {
            this.call.onCancel(false);
            throw new InterruptedIOException("Interrupted while waiting " + nanos / 1_000_000
                    + "ms before attempt " + (this.call.attempts() + 1) + "; the interrupt flag is kept");
        }
        if (end == BlockingWaits.End.STOPPED) {
            this.call.onShutdown(RetryWaits.stoppedError());
            throw failure();
        }
    }

    /**
     * The exception that ends a call, as a {@code RestClient} caller expects one: an I/O error (which
     * {@code RestClient} turns into a {@code ResourceAccessException}) or an unchecked exception as
     * raised. Anything else, such as the deadline's {@code TimeoutException}, becomes the cause of an
     * {@link IOException} with the same message.
     */
    private IOException failure() {
        Throwable error = this.call.failure();
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
}
