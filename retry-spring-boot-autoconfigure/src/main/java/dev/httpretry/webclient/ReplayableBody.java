package dev.httpretry.webclient;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.httpretry.core.InvalidSettingException;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpRequestDecorator;
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
 * <p>Limitation: Reactor Netty re-runs the body writer once when a pooled connection turns out
 * closed before the request headers were sent; if the first run had already begun reading a
 * one-shot body, that second run fails with {@link BodyNotReplayableException} rather than send a
 * cut body.
 *
 * <p>Thread-safe. The owner of the call calls {@link #release()} when the call ends, whatever way
 * it ends.
 */
public final class ReplayableBody {

    /** The largest limit: the largest Java array. */
    public static final long MAX_LIMIT_BYTES = Integer.MAX_VALUE - 8;

    private static final int INITIAL_CAPACITY = 8192;

    private final ClientRequest request;

    private final @Nullable Recorder recorder;

    private ReplayableBody(ClientRequest request, @Nullable Recorder recorder) {
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
        Recorder recorder = new Recorder(request.body(), (int) limitBytes);
        return new ReplayableBody(ClientRequest.from(request).body(recorder).build(), recorder);
    }

    /**
     * The request to send on every attempt. Thread-safe.
     * @return the same request each time: the original one when it has no body
     */
    public ClientRequest request() {
        return request;
    }

    /**
     * Whether a later attempt can send the body: {@code false} once it outgrew the limit, once the
     * attempt that first read it ended before reading all of it, and once {@linkplain #release()
     * released}. While the first attempt is still sending it, {@code true} (a later attempt waits).
     * Thread-safe.
     * @return whether the body can be sent again; always {@code true} without a body
     */
    public boolean replayable() {
        return recorder == null || recorder.replayable();
    }

    /**
     * Whether the whole body has been recorded, so that any number of attempts can send it at once
     * (a hedged call sends its copies only then). Thread-safe.
     * @return {@code true} once recorded and until released; {@code false} for a request without a body
     */
    public boolean recorded() {
        return recorder != null && recorder.state.get() == State.RECORDED;
    }

    /**
     * Whether any byte of the request may have been written to a connection by an attempt: once an
     * attempt began writing the body (the headers go with it). {@code false} means no attempt got
     * that far, so the request provably never left. Thread-safe.
     * @return whether the request may have been sent; always {@code false} without a body, which is
     *     not observed
     */
    public boolean mayHaveSent() {
        return recorder != null && recorder.mayHaveSent;
    }

    /**
     * Tells that the attempt that records the body has ended, whatever way. Connectors other than
     * Reactor Netty (Jetty, the JDK's, Apache's) take the body when the request is built and read it
     * only once connected: if this attempt never read it (its connection failed first), the body is
     * left untouched and the next attempt records it; if it read part of it, the body cannot be sent
     * again. Nothing changes once the body is recorded. The owner calls it before deciding on a
     * retry. Thread-safe.
     */
    public void attemptEnded() {
        if (this.recorder != null) {
            this.recorder.attemptEnded();
        }
    }

    /**
     * Frees the recorded bytes; later attempts fail with {@link BodyNotReplayableException}. The owner
     * of the call calls it when the call ends. Safe to call more than once, and from any thread.
     */
    public void release() {
        if (recorder != null) {
            recorder.release();
        }
    }

    @Override
    public String toString() {
        return recorder == null ? "ReplayableBody[no body]" : "ReplayableBody[" + recorder.state.get() + "]";
    }

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

    /** What a replay writes: the bytes and the headers the original inserter set. */
    private record Recording(byte[] bytes, int length, Map<String, List<String>> headers, boolean viaSetComplete) {
    }

    /** The body inserter of {@link #request()}. */
    private static final class Recorder implements BodyInserter<Object, ClientHttpRequest> {

        private final BodyInserter<?, ? super ClientHttpRequest> original;

        private final int limit;

        private final AtomicReference<State> state = new AtomicReference<>(State.FRESH);

        /** Empties once the first attempt's recording has ended, either way. */
        private final Sinks.Empty<Void> settled = Sinks.empty();

        private volatile boolean mayHaveSent;

        /** Whether the recording attempt's connection has asked for the body (some connectors ask only once connected). */
        private volatile boolean bodySubscribed;

        /** Counts recordings, so the body of an attempt that was given up on is never read after the next one began. */
        private final AtomicInteger generation = new AtomicInteger();

        private volatile @Nullable Recording recording;

        private volatile @Nullable String notReplayable;

        // Written only by the first attempt, whose buffers arrive one at a time (Reactive Streams §1.3).
        private byte @Nullable [] buffer;

        private int length;

        private Map<String, List<String>> bodyHeaders = Map.of();

        Recorder(BodyInserter<?, ? super ClientHttpRequest> original, int limit) {
            this.original = original;
            this.limit = limit;
        }

        boolean replayable() {
            State current = state.get();
            return current == State.FRESH || current == State.RECORDING || current == State.RECORDED;
        }

        void release() {
            while (true) {
                State current = state.get();
                if (current == State.RELEASED) {
                    return;
                }
                if (state.compareAndSet(current, State.RELEASED)) {
                    recording = null;
                    buffer = null;
                    settled.tryEmitEmpty();
                    return;
                }
            }
        }

        @Override
        public Mono<Void> insert(ClientHttpRequest request, Context context) {
            return Mono.defer(() -> {
                if (state.compareAndSet(State.FRESH, State.RECORDING)) {
                    return record(request, context);
                }
                if (state.get() == State.RECORDING) {
                    return settled.asMono().then(Mono.defer(() -> replay(request)));
                }
                return replay(request);
            });
        }

        private Mono<Void> record(ClientHttpRequest request, Context context) {
            this.bodySubscribed = false;
            int current = this.generation.incrementAndGet();
            // deferred, so that an inserter that throws instead of returning an error still ends the recording
            return Mono.defer(() -> original.insert(new RecordingRequest(request, HttpHeaders.copyOf(request.getHeaders()), current),
                    context))
                .doFinally(signal -> {
                    // A connector that reads the body only once connected (Jetty, the JDK's, Apache's)
                    // completes the insert before reading it, and a cancel may come before it asks:
                    // then the attempt's end decides (attemptEnded). An error is the body's own.
                    if (signal == SignalType.ON_ERROR || (signal == SignalType.CANCEL && this.bodySubscribed)) {
                        fail("its first attempt ended (" + signal + ") before the whole body was read");
                    }
                });
        }

        void attemptEnded() {
            if (this.state.get() != State.RECORDING) {
                return;
            }
            if (!this.bodySubscribed) {
                // never read: the next attempt records it afresh
                this.buffer = null;
                this.length = 0;
                this.mayHaveSent = false;
                this.generation.incrementAndGet();
                this.state.compareAndSet(State.RECORDING, State.FRESH);
            }
            else {
                fail("its first attempt ended before the whole body was read");
            }
        }

        private Mono<Void> replay(ClientHttpRequest request) {
            State current = state.get();
            Recording recorded = current == State.RECORDED ? recording : null;
            if (recorded == null) {
                String reason = current == State.RELEASED ? "it was released when its call ended" : notReplayable;
                return Mono.error(new BodyNotReplayableException("The request body cannot be sent again: "
                        + (reason != null ? reason : "it is not recorded")));
            }
            HttpHeaders headers = request.getHeaders();
            recorded.headers().forEach(headers::put);
            return Mono.defer(() -> {
                mayHaveSent = true;
                if (recorded.viaSetComplete()) {
                    return request.setComplete();
                }
                return request.writeWith(Mono.fromSupplier(
                        () -> request.bufferFactory().wrap(ByteBuffer.wrap(recorded.bytes(), 0, recorded.length()))));
            });
        }

        /** Ends the recording as not replayable, unless it has already ended. */
        private void fail(String reason) {
            if (state.get() == State.RECORDING) {
                notReplayable = reason;
                if (state.compareAndSet(State.RECORDING, State.NOT_REPLAYABLE)) {
                    buffer = null;
                    settled.tryEmitEmpty();
                }
            }
        }

        private void complete(boolean viaSetComplete) {
            byte[] bytes = buffer;
            Recording done = new Recording(bytes != null ? bytes : new byte[0], bytes != null ? length : 0, bodyHeaders,
                    viaSetComplete);
            recording = done;
            if (state.compareAndSet(State.RECORDING, State.RECORDED)) {
                buffer = null;
                settled.tryEmitEmpty();
            }
            else {
                recording = null;
            }
        }

        /** At the start of the write: notes the headers the inserter set, and whether the body is too long to keep. */
        private void start(HttpHeaders before, HttpHeaders now) {
            mayHaveSent = true;
            Map<String, List<String>> changed = new LinkedHashMap<>();
            now.forEach((name, values) -> {
                if (!values.equals(before.get(name))) {
                    changed.put(name, List.copyOf(values));
                }
            });
            bodyHeaders = Map.copyOf(changed);
            long contentLength = now.getContentLength();
            if (contentLength > limit) {
                fail("it is longer (Content-Length " + contentLength + ") than the replay limit of " + limit + " bytes");
            }
            else {
                buffer = new byte[(int) Math.min(limit, contentLength >= 0 ? contentLength : INITIAL_CAPACITY)];
            }
        }

        /** Copies a buffer's readable bytes without moving its positions, or gives up past the limit. */
        private DataBuffer copy(DataBuffer data) {
            if (state.get() != State.RECORDING) {
                return data;
            }
            try {
                int count = data.readableByteCount();
                if (count > limit - length) {
                    fail("it is longer than the replay limit of " + limit + " bytes");
                    return data;
                }
                byte[] bytes = buffer;
                if (bytes == null) {
                    return data;
                }
                if (length + count > bytes.length) {
                    long grown = Math.max(length + (long) count, Math.max(16, 2L * bytes.length));
                    bytes = Arrays.copyOf(bytes, (int) Math.min(limit, grown));
                    buffer = bytes;
                }
                data.toByteBuffer(data.readPosition(), ByteBuffer.wrap(bytes), length, count);
                length += count;
                return data;
            }
            catch (RuntimeException ex) {
                DataBufferUtils.release(data);
                throw ex;
            }
        }

        /** The connection's request, seen by the original inserter: what it writes is also recorded. */
        private final class RecordingRequest extends ClientHttpRequestDecorator {

            private final HttpHeaders before;

            private final int generation;

            RecordingRequest(ClientHttpRequest delegate, HttpHeaders before, int generation) {
                super(delegate);
                this.before = before;
                this.generation = generation;
            }

            /** The original body, unless this attempt was given up on before its connection asked for it. */
            private <T> Flux<T> current(Publisher<T> body) {
                return Flux.defer(() -> {
                    if (Recorder.this.generation.get() != this.generation) {
                        return Flux.error(new BodyNotReplayableException("The request body was asked for by an attempt "
                                + "that had already ended; it is kept for the next attempt"));
                    }
                    Recorder.this.bodySubscribed = true;
                    return Flux.from(body);
                });
            }

            @Override
            public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
                return Mono.defer(() -> {
                    start(before, getHeaders());
                    Flux<DataBuffer> recorded = current(Flux.<DataBuffer>from(body))
                        .map(Recorder.this::copy)
                        .doOnComplete(() -> complete(false))
                        .doOnError(error -> fail("its body failed: " + error))
                        .doOnCancel(() -> fail("its first attempt was cancelled before the whole body was read"));
                    return super.writeWith(recorded);
                });
            }

            @Override
            public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
                return Mono.defer(() -> {
                    start(before, getHeaders());
                    // whole once the outer publisher and every group it gave have completed
                    AtomicInteger open = new AtomicInteger(1);
                    Runnable closed = () -> {
                        if (open.decrementAndGet() == 0) {
                            complete(false);
                        }
                    };
                    Flux<Flux<DataBuffer>> recorded = current(Flux.<Publisher<? extends DataBuffer>>from(body))
                        .map(group -> {
                            open.incrementAndGet();
                            return Flux.<DataBuffer>from(group)
                                .map(Recorder.this::copy)
                                .doOnComplete(closed)
                                .doOnError(error -> fail("its body failed: " + error))
                                .doOnCancel(() -> fail("its first attempt was cancelled before the whole body was read"));
                        })
                        .doOnComplete(closed)
                        .doOnError(error -> fail("its body failed: " + error))
                        .doOnCancel(() -> fail("its first attempt was cancelled before the whole body was read"));
                    return super.writeAndFlushWith(recorded);
                });
            }

            @Override
            public Mono<Void> setComplete() {
                return Mono.defer(() -> {
                    start(before, getHeaders());
                    return super.setComplete().doOnSuccess(done -> complete(true));
                });
            }
        }
    }
}
