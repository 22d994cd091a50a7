package dev.httpretry.restclient;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

import dev.httpretry.core.ExceptionClassifier;
import dev.httpretry.core.RetryExecution;

import org.springframework.http.client.ClientHttpResponse;

/**
 * Releases a retried response on the calling thread, so its connection can go back to the pool,
 * but never for long. {@code ClientHttpResponse.close()} of the Reactor Netty and JDK factories
 * reads the whole body first, which never returns for a body that stalls or streams on; so the
 * body is read here, at most {@link RetryExecution#RELEASE_MAX_BYTES} bytes and for at most
 * {@link RetryExecution#releaseNanos()} (1 s, or the time left before the deadline, if less), the
 * same bounds as the WebClient filter's. A body that has not ended by then is closed unread, which
 * drops its connection instead of waiting.
 */
final class ResponseRelease {

    private ResponseRelease() {
    }

    /**
     * Reads what is left of a retried response's body within the bounds, then closes it.
     * @param response the response that is retried
     * @param nanos how long the release may take ({@link RetryExecution#releaseNanos()})
     */
    static void release(ClientHttpResponse response, long nanos) {
        InputStream body;
        try {
            body = response.getBody();
        }
        catch (IOException | RuntimeException ex) {
            closeQuietly(response);
            return;
        }
        // the JDK client's body stream ends a blocked read when closed, not always when interrupted
        AttemptTimer timer = AttemptTimer.start(nanos, body);
        boolean ended = false;
        boolean interrupted = false;
        try {
            byte[] buffer = new byte[8192];
            int left = RetryExecution.RELEASE_MAX_BYTES;
            while (left > 0) {
                int read = body.read(buffer, 0, Math.min(buffer.length, left));
                if (read < 0) {
                    ended = true;
                    break;
                }
                left -= read;
            }
            ended = ended || body.read() < 0;
        }
        catch (IOException | RuntimeException ex) {
            interrupted = isInterruption(ex);
        }
        // the timer's interrupt, if it fired, is cleared; the caller's own is kept for the wait to see
        if (!timer.finish() && interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!ended) {
            closeQuietly(body);
        }
        closeQuietly(response);
    }

    private static void closeQuietly(ClientHttpResponse response) {
        try {
            response.close();
        }
        catch (RuntimeException ex) {
            // a response that fails to close is no reason to fail the call
        }
    }

    private static boolean isInterruption(Throwable error) {
        for (Throwable link : ExceptionClassifier.causeChain(error)) {
            if (link instanceof InterruptedException || (link instanceof InterruptedIOException
                    && !(link instanceof java.net.SocketTimeoutException))) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        }
        catch (IOException | RuntimeException ex) {
            // dropping the connection is all that is asked of it
        }
    }
}
