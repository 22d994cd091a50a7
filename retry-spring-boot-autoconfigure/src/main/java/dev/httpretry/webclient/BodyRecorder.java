package dev.httpretry.webclient;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.web.reactive.function.BodyInserter;

/**
 * The body inserter of {@link ReplayableBody#request()}, and the state of the body's recording. The
 * first attempt that writes the body runs the original inserter against a {@link RecordingRequest},
 * which passes each buffer on and has it copied into {@link BodyBytes}; later attempts write the
 * finished {@link BodyRecording}, and one that starts while the first is still recording waits
 * until the recording ends.
 *
 * <p>Connectors do not all ask for the body at the same time: Reactor Netty as the insert runs,
 * Jetty, the JDK's and Apache's only once connected, after the insert has completed. So whether an
 * attempt that ended took the body apart is told by whether its connection asked for it, and each
 * recording has a generation, so that an attempt given up on never reads the body once the next
 * one has begun.
 *
 * <p>Thread-safe.
 */
final class BodyRecorder implements BodyInserter<Object, ClientHttpRequest> {

    /** Where the recording stands. */
    private enum State {

        /** No attempt has run the original inserter yet. */
        FRESH,

        /** The first attempt is running the original inserter and recording what it writes. */
        RECORDING,

        /** The whole body is recorded. */
        RECORDED,

        /** The body outgrew the limit, or the first attempt ended before it was whole. */
        NOT_REPLAYABLE,

        /** Released by the owner. */
        RELEASED
    }

    private final BodyInserter<?, ? super ClientHttpRequest> original;

    private final int limit;

    // Written only by the recording attempt.
    private final BodyBytes bytes;

    private final AtomicReference<State> state = new AtomicReference<>(State.FRESH);

    /** Empties once the first attempt's recording has ended, either way. */
    private final Sinks.Empty<Void> settled = Sinks.empty();

    private volatile boolean mayHaveSent;

    /** Whether the recording attempt's connection has asked for the body (some connectors ask only once connected). */
    private volatile boolean bodySubscribed;

    /** Counts recordings, so the body of an attempt that was given up on is never read after the next one began. */
    private final AtomicInteger generation = new AtomicInteger();

    private volatile @Nullable BodyRecording recording;

    private volatile @Nullable String notReplayable;

    /** The attempt that runs the original inserter. */
    private volatile int recordingAttempt;

    /** Whether the recording attempt wrote the whole body, kept or not. */
    private volatile boolean writtenWhole;

    BodyRecorder(BodyInserter<?, ? super ClientHttpRequest> original, int limit) {
        this.original = original;
        this.limit = limit;
        this.bytes = new BodyBytes(limit);
    }

    /** Whether the whole body is recorded, so that any number of attempts can send it at once; until released. */
    boolean recorded() {
        return this.state.get() == State.RECORDED;
    }

    /** The name of the recording's state, for {@link ReplayableBody#toString()}. */
    String stateName() {
        return String.valueOf(this.state.get());
    }

    /** Whether a later attempt can still send the body, now or once the recording ends. */
    boolean replayable() {
        State current = this.state.get();
        return current == State.FRESH || current == State.RECORDING || current == State.RECORDED;
    }

    /** Whether an attempt began writing the request. */
    boolean mayHaveSent() {
        return this.mayHaveSent;
    }

    /** Frees the recording for good, and lets go any attempt waiting for it. */
    void release() {
        while (true) {
            State current = this.state.get();
            if (current == State.RELEASED) {
                return;
            }
            if (this.state.compareAndSet(current, State.RELEASED)) {
                this.recording = null;
                this.bytes.discard();
                this.settled.tryEmitEmpty();
                return;
            }
        }
    }

    /** The body inserter of one attempt: every insert it runs is that attempt's own. */
    BodyInserter<Object, ClientHttpRequest> forAttempt(int attempt) {
        return (request, context) -> insert(request, context, attempt);
    }

    /**
     * Records with the first attempt, replays with the others. The attempt that records may write the
     * body again (a redirect, a connector's own re-send): then the recording once whole; a body it
     * wrote whole but did not keep (over the limit) is written by the original inserter again,
     * unrecorded, as without the starter; a body it wrote in part is not written again at all.
     */
    @Override
    public Mono<Void> insert(ClientHttpRequest request, Context context) {
        return insert(request, context, 0);
    }

    private Mono<Void> insert(ClientHttpRequest request, Context context, int attempt) {
        return Mono.defer(() -> {
            if (this.state.compareAndSet(State.FRESH, State.RECORDING)) {
                this.recordingAttempt = attempt;
                return record(request, context);
            }
            if (attempt != 0 && attempt == this.recordingAttempt) {
                return this.settled.asMono().then(Mono.defer(() -> (this.state.get() != State.RECORDED && this.writtenWhole)
                        ? this.original.insert(request, context) : replay(request)));
            }
            if (this.state.get() == State.RECORDING) {
                return this.settled.asMono().then(Mono.defer(() -> replay(request)));
            }
            return replay(request);
        });
    }

    private Mono<Void> record(ClientHttpRequest request, Context context) {
        this.bodySubscribed = false;
        int current = this.generation.incrementAndGet();
        // deferred, so that an inserter that throws instead of returning an error still ends the recording
        return Mono.defer(() -> {
                HttpHeaders before = HttpHeaders.copyOf(request.getHeaders());
                return this.original.insert(new RecordingRequest(this, request, before, current), context);
            })
            .doFinally(signal -> {
                // A connector that reads the body only once connected (Jetty, the JDK's, Apache's)
                // completes the insert before reading it, and a cancel may come before it asks:
                // then the attempt's end decides (attemptEnded). An error is the body's own.
                if (signal == SignalType.ON_ERROR || (signal == SignalType.CANCEL && this.bodySubscribed)) {
                    fail("its first attempt ended (" + signal + ") before the whole body was read");
                }
            });
    }

    /**
     * Ends the recording when its attempt ends: a body never asked for is kept for the next attempt
     * to record afresh; one read in part cannot be sent again.
     */
    void attemptEnded() {
        if (this.state.get() != State.RECORDING) {
            return;
        }
        if (!this.bodySubscribed) {
            // never read: the next attempt records it afresh
            this.bytes.reset();
            this.mayHaveSent = false;
            this.generation.incrementAndGet();
            this.state.compareAndSet(State.RECORDING, State.FRESH);
        }
        else {
            fail("its first attempt ended before the whole body was read");
        }
    }

    private Mono<Void> replay(ClientHttpRequest request) {
        State current = this.state.get();
        BodyRecording recorded = (current == State.RECORDED) ? this.recording : null;
        if (recorded == null) {
            String reason = (current == State.RELEASED) ? "it was released when its call ended" : this.notReplayable;
            return Mono.error(new BodyNotReplayableException("The request body cannot be sent again: "
                    + ((reason != null) ? reason : "it is not recorded")));
        }
        recorded.restoreHeaders(request.getHeaders());
        return Mono.defer(() -> {
            this.mayHaveSent = true;
            return recorded.writeTo(request);
        });
    }

    /**
     * Notes that the connection of a recording attempt asked for the body.
     * @param generation the recording the attempt began
     * @return {@code false} if that attempt was given up on, so the body must be left for the next one
     */
    boolean bodyAsked(int generation) {
        if (this.generation.get() != generation) {
            return false;
        }
        this.bodySubscribed = true;
        return true;
    }

    /** At the start of the write: notes the headers the inserter set, and whether the body is too long to keep. */
    void start(HttpHeaders before, HttpHeaders now) {
        this.mayHaveSent = true;
        if (!this.bytes.start(before, now)) {
            fail("it is longer (Content-Length " + now.getContentLength() + ") than the replay limit of " + this.limit
                    + " bytes");
        }
    }

    /** Copies a buffer's readable bytes without moving its positions, or gives up past the limit. */
    DataBuffer copy(DataBuffer data) {
        if (this.state.get() != State.RECORDING) {
            return data;
        }
        try {
            if (!this.bytes.append(data)) {
                fail("it is longer than the replay limit of " + this.limit + " bytes");
            }
            return data;
        }
        catch (RuntimeException ex) {
            DataBufferUtils.release(data);
            throw ex;
        }
    }

    /** Ends the recording with the whole body, unless it has already ended. */
    void complete(boolean viaSetComplete) {
        this.writtenWhole = true;
        this.recording = this.bytes.toRecording(viaSetComplete);
        if (this.state.compareAndSet(State.RECORDING, State.RECORDED)) {
            this.bytes.discard();
            this.settled.tryEmitEmpty();
        }
        else {
            this.recording = null;
        }
    }

    /** Ends the recording as not replayable, unless it has already ended. */
    void fail(String reason) {
        if (this.state.get() == State.RECORDING) {
            this.notReplayable = reason;
            if (this.state.compareAndSet(State.RECORDING, State.NOT_REPLAYABLE)) {
                this.bytes.discard();
                this.settled.tryEmitEmpty();
            }
        }
    }
}
