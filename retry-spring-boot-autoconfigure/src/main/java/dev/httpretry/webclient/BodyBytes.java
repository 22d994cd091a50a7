package dev.httpretry.webclient;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;

/**
 * The bytes of a request body as its recording attempt writes them, copied into one heap array up
 * to a limit, and the headers the body's inserter set: what a {@link BodyRecording} is made of.
 * The connection's buffers are only read, never retained or released, so copying cannot leak them.
 *
 * <p>Not thread-safe: only the recording attempt writes it, and its buffers arrive one at a time
 * (Reactive Streams §1.3); the {@link BodyRecorder} that owns it decides when it is read or dropped.
 */
final class BodyBytes {

    private static final int INITIAL_CAPACITY = 8192;

    private final int limit;

    private byte @Nullable [] buffer;

    private int length;

    private Map<String, List<String>> headers = Map.of();

    BodyBytes(int limit) {
        this.limit = limit;
    }

    /**
     * Starts the copy as the body starts to be written: notes the headers the inserter set (those
     * that differ from {@code before}) and makes room for the body, unless its {@code Content-Length}
     * already passes the limit.
     * @param before the request's headers before the inserter ran
     * @param now the request's headers as the inserter left them
     * @return {@code false} if the declared length passes the limit (no room is made then)
     */
    boolean start(HttpHeaders before, HttpHeaders now) {
        Map<String, List<String>> changed = new LinkedHashMap<>();
        now.forEach((name, values) -> {
            if (!values.equals(before.get(name))) {
                changed.put(name, List.copyOf(values));
            }
        });
        this.headers = Map.copyOf(changed);
        long contentLength = now.getContentLength();
        if (contentLength > this.limit) {
            return false;
        }
        this.buffer = new byte[(int) Math.min(this.limit, (contentLength >= 0) ? contentLength : INITIAL_CAPACITY)];
        return true;
    }

    /**
     * Appends a buffer's readable bytes without moving its positions, growing the array up to the limit.
     * @param data a buffer on its way to the connection
     * @return {@code false} if its bytes would pass the limit (nothing is copied then)
     */
    boolean append(DataBuffer data) {
        int count = data.readableByteCount();
        if (count > this.limit - this.length) {
            return false;
        }
        byte[] bytes = this.buffer;
        if (bytes == null) {
            return true;
        }
        if (this.length + count > bytes.length) {
            long grown = Math.max(this.length + (long) count, Math.max(16, 2L * bytes.length));
            bytes = Arrays.copyOf(bytes, (int) Math.min(this.limit, grown));
            this.buffer = bytes;
        }
        data.toByteBuffer(data.readPosition(), ByteBuffer.wrap(bytes), this.length, count);
        this.length += count;
        return true;
    }

    /**
     * The whole body as copied, with the headers the inserter set.
     * @param viaSetComplete whether the inserter ended the request without a body ({@code setComplete})
     * @return the recording later attempts send
     */
    BodyRecording toRecording(boolean viaSetComplete) {
        byte[] bytes = this.buffer;
        return new BodyRecording((bytes != null) ? bytes : new byte[0], (bytes != null) ? this.length : 0, this.headers,
                viaSetComplete);
    }

    /** Drops the copied bytes, so that a body that will not be sent again holds no memory. */
    void discard() {
        this.buffer = null;
    }

    /** Forgets what was copied, for a recording that starts afresh with the next attempt. */
    void reset() {
        this.buffer = null;
        this.length = 0;
    }
}
