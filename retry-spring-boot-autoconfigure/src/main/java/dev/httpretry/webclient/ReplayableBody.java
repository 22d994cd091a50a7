package dev.httpretry.webclient;

import java.util.Objects;

import dev.httpretry.core.InvalidSettingException;
import org.jspecify.annotations.Nullable;

import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;

/**
 * Makes the body of a {@link ClientRequest} safe to send more than once: every attempt sends
 * exactly the bytes the first attempt sent. A body that can be read only once (a stream, an upload)
 * would otherwise be sent empty, or cut, by a second run of its {@link BodyInserter}.
 *
 * <p>{@link #request()} is the request to send on every attempt (a per-attempt copy made with
 * {@link ClientRequest#from(ClientRequest)} keeps its body). The first attempt that writes the body
 * runs the original inserter, passes each buffer through to the connection as it is, and copies
 * its bytes into a heap array, up to {@code limitBytes}; the connection's buffers are neither
 * retained nor released here, so recording cannot leak them. Later attempts write the recorded
 * bytes (one wrapped heap buffer, nothing pooled) and set again the headers the original inserter
 * set ({@code Content-Type} with a multipart boundary, {@code Content-Length}), so the framing
 * matches the bytes. An attempt that starts while the first is still recording waits until the
 * recording ends.
 *
 * <p>A body larger than the limit stops being recorded (the first attempt still streams all of it)
 * and {@link #replayable()} turns {@code false}; so it does when the first attempt ends before the
 * whole body was read (an error of the body, a cancel, a closed connection). A later attempt then
 * fails with {@link BodyNotReplayableException} instead of sending an empty or cut body. An attempt
 * whose connection failed before the body was asked for leaves the body untouched: the next attempt
 * is then the first. An error of the original body publisher reaches the exchange as it is.
 *
 * <p>A request without a body ({@link BodyInserters#empty()}, such as a GET) costs nothing: its
 * {@link #request()} is the original request, untouched.
 *
 * <p>A body written again within one attempt (a 307 or 308 redirect the connector follows, Reactor
 * Netty's own re-send on a pooled connection found closed) is not a retry: it is the whole recording
 * once that is whole, and otherwise (a body over the limit) the caller's inserter run again, exactly
 * as without the starter: a reusable body goes out whole, a one-shot stream fails as it would.
 *
 * <p>Thread-safe. The owner of the call calls {@link #release()} when the call ends, whatever way
 * it ends.
 *
 * <p>This class is what the call sees; the work is shared out: {@link BodyRecorder} is the body
 * inserter of {@link #request()} and decides, attempt by attempt, whether to record, wait or replay;
 * {@link RecordingRequest} taps what the original inserter writes; {@link BodyBytes} keeps the
 * copy; {@link BodyRecording} is what a replay writes.
 */
final class ReplayableBody {

    /** The largest limit: the largest Java array. */
    public static final long MAX_LIMIT_BYTES = Integer.MAX_VALUE - 8;

    /** The caller's request, whose body is the recorder's when it has one. */
    private final ClientRequest request;

    private int attempts;

    private final @Nullable BodyRecorder recorder;

    private ReplayableBody(ClientRequest request, @Nullable BodyRecorder recorder) {
        this.request = request;
        this.recorder = recorder;
    }

    /**
     * Prepares a request's body to be sent more than once.
     * @param request the request as the caller built it
     * @param limitBytes the most bytes kept for sending again, 0 to {@value #MAX_LIMIT_BYTES}
     * @return the replayable body; for a request without a body, one that hands back {@code request} itself
     * @throws InvalidSettingException if {@code limitBytes} is out of range ({@code body-replay-limit})
     * @throws NullPointerException if {@code request} is {@code null}
     */
    public static ReplayableBody of(ClientRequest request, long limitBytes) {
        Objects.requireNonNull(request, "request");
        if (limitBytes < 0 || limitBytes > MAX_LIMIT_BYTES) {
            throw new InvalidSettingException("body-replay-limit", limitBytes + "B",
                    "must be between 0 and " + MAX_LIMIT_BYTES + " bytes");
        }
        if (request.body() == BodyInserters.empty()) {
            return new ReplayableBody(request, null);
        }
        BodyRecorder recorder = new BodyRecorder(request.body(), (int) limitBytes);
        return new ReplayableBody(ClientRequest.from(request).body(recorder).build(), recorder);
    }

    /**
     * The request of a new attempt: its body inserter is this attempt's own, so that a body written
     * again within one attempt (a redirect the connector follows, a connector's own re-send) goes out
     * whole, as the caller's inserter writes it, while another attempt replays the recording. Call it
     * once per attempt; not thread-safe for concurrent callers (a call asks for one attempt at a time).
     * @return a request with the attempt's body; the original request itself when it has no body
     */
    public ClientRequest request() {
        BodyRecorder recorder = this.recorder;
        if (recorder == null) {
            return this.request;
        }
        return ClientRequest.from(this.request).body(recorder.forAttempt(++this.attempts)).build();
    }

    /**
     * Whether a later attempt can send the body: {@code false} once it outgrew the limit, once the
     * attempt that first read it ended before reading all of it, and once {@linkplain #release()
     * released}. While the first attempt is still sending it, {@code true} (a later attempt waits).
     * Thread-safe.
     * @return whether the body can be sent again; always {@code true} without a body
     */
    public boolean replayable() {
        return this.recorder == null || this.recorder.replayable();
    }

    /**
     * Whether the whole body has been recorded, so that any number of attempts can send it at once
     * (a hedged call sends its copies only then). Thread-safe.
     * @return {@code true} once recorded and until released; {@code false} for a request without a body
     */
    public boolean recorded() {
        return this.recorder != null && this.recorder.recorded();
    }

    /**
     * Whether any byte of the request may have been written to a connection by an attempt: once an
     * attempt began writing the body (the headers go with it). {@code false} means no attempt got
     * that far, so the request provably never left. Thread-safe.
     * @return whether the request may have been sent; always {@code false} without a body, which is
     *     not observed
     */
    public boolean mayHaveSent() {
        return this.recorder != null && this.recorder.mayHaveSent();
    }

    /**
     * Tells that the attempt that records the body has ended, whatever way. Connectors other than
     * Reactor Netty (Jetty, the JDK's, Apache's) take the body when the request is built and read it
     * only once connected: if this attempt never read it (its connection failed first), the body is
     * left untouched and the next attempt records it; if it read part of it, the body cannot be sent
     * again. Nothing changes once the body is recorded. The owner calls it before deciding on a
     * retry. Thread-safe.
     * @return whether the body can still be sent again as it was ({@link #replayable()})
     */
    public boolean attemptEnded() {
        if (this.recorder != null) {
            this.recorder.attemptEnded();
        }
        return replayable();
    }

    /**
     * Frees the recorded bytes; later attempts fail with {@link BodyNotReplayableException}. The owner
     * of the call calls it when the call ends. Safe to call more than once, and from any thread.
     */
    public void release() {
        if (this.recorder != null) {
            this.recorder.release();
        }
    }

    @Override
    public String toString() {
        return (this.recorder == null) ? "ReplayableBody[no body]" : "ReplayableBody[" + this.recorder.stateName() + "]";
    }
}
