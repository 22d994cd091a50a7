package dev.httpretry.test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.mock.http.client.MockClientHttpResponse;

/**
 * A {@link FaultInjector}'s faults in a RestClient: the innermost interceptor, so each attempt the
 * retry interceptor sends meets them, with the {@code IOException}s a request factory raises for a
 * refused or reset connection.
 */
final class FaultInterceptor implements ClientHttpRequestInterceptor {

    private final FaultInjector faults;

    FaultInterceptor(FaultInjector faults) {
        this.faults = faults;
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        FaultInjector.Fault fault = this.faults.next(Faults.clientOf(request.getAttributes()));
        if (fault == null) {
            return execution.execute(request, body);
        }
        if (fault instanceof FaultInjector.Fault.Respond respond) {
            MockClientHttpResponse response = new MockClientHttpResponse(new byte[0], HttpStatusCode.valueOf(respond.status()));
            Faults.addHeaders(respond, response.getHeaders());
            return response;
        }
        if (fault instanceof FaultInjector.Fault.Late late) {
            awaitOrInterrupt(late.delay().toNanos());
            return execution.execute(request, body);
        }
        throw Objects.requireNonNull(Faults.error(fault));
    }

    /** Parks the calling thread; an interrupt (an attempt timeout, a caller giving up) ends the request as an I/O failure. */
    private static void awaitOrInterrupt(long nanos) throws InterruptedIOException {
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("Interrupted while the answer was late (injected by FaultInjector)");
            }
            LockSupport.parkNanos(left);
        }
    }

    @Override
    public String toString() {
        return "FaultInterceptor[" + this.faults + "]";
    }
}
