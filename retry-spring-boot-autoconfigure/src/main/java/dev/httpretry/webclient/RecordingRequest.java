package dev.httpretry.webclient;

import java.util.concurrent.atomic.AtomicInteger;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpRequestDecorator;

/**
 * The connection's request as the original body inserter sees it on the recording attempt: what
 * the inserter writes goes to the connection as it is, and the {@link BodyRecorder} copies it on
 * the way. It covers each way an inserter ends a request: one stream of buffers
 * ({@code writeWith}), a stream of groups flushed one by one ({@code writeAndFlushWith}), or no
 * body at all ({@code setComplete}).
 *
 * <p>The body is handed to the connection only while this attempt's recording is current: a
 * connector that asks for it once connected may ask after the attempt was given up on, when the
 * body is kept for the next attempt.
 */
final class RecordingRequest extends ClientHttpRequestDecorator {

    private final BodyRecorder recorder;

    private final HttpHeaders before;

    private final int generation;

    /**
     * Wraps the connection's request for one recording.
     * @param recorder the recorder that copies what is written
     * @param delegate the connection's request
     * @param before a copy of the request's headers before the inserter ran, to tell which it set
     * @param generation the recording this attempt began
     */
    RecordingRequest(BodyRecorder recorder, ClientHttpRequest delegate, HttpHeaders before, int generation) {
        super(delegate);
        this.recorder = recorder;
        this.before = before;
        this.generation = generation;
    }

    /** The original body, unless this attempt was given up on before its connection asked for it. */
    private <T> Flux<T> current(Publisher<T> body) {
        return Flux.defer(() -> {
            if (!this.recorder.bodyAsked(this.generation)) {
                return Flux.error(new BodyNotReplayableException("The request body was asked for by an attempt "
                        + "that had already ended; it is kept for the next attempt"));
            }
            return Flux.from(body);
        });
    }

    private void failed(Throwable error) {
        this.recorder.fail("its body failed: " + error);
    }

    private void cancelled() {
        this.recorder.fail("its first attempt was cancelled before the whole body was read");
    }

    /** Writes the body and records it; whole once it completes. */
    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        return Mono.defer(() -> {
            this.recorder.start(this.before, getHeaders());
            Flux<DataBuffer> recorded = current(Flux.<DataBuffer>from(body))
                .map(this.recorder::copy)
                .doOnComplete(() -> this.recorder.complete(false))
                .doOnError(this::failed)
                .doOnCancel(this::cancelled);
            return super.writeWith(recorded);
        });
    }

    /** Writes the body group by group and records it; whole once every group has completed. */
    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        return Mono.defer(() -> {
            this.recorder.start(this.before, getHeaders());
            // whole once the outer publisher and every group it gave have completed
            AtomicInteger open = new AtomicInteger(1);
            Runnable closed = () -> {
                if (open.decrementAndGet() == 0) {
                    this.recorder.complete(false);
                }
            };
            Flux<Flux<DataBuffer>> recorded = current(Flux.<Publisher<? extends DataBuffer>>from(body))
                .map(group -> {
                    open.incrementAndGet();
                    return Flux.<DataBuffer>from(group)
                        .map(this.recorder::copy)
                        .doOnComplete(closed)
                        .doOnError(this::failed)
                        .doOnCancel(this::cancelled);
                })
                .doOnComplete(closed)
                .doOnError(this::failed)
                .doOnCancel(this::cancelled);
            return super.writeAndFlushWith(recorded);
        });
    }

    /** Ends a request without a body; recorded as such once it is sent. */
    @Override
    public Mono<Void> setComplete() {
        return Mono.defer(() -> {
            this.recorder.start(this.before, getHeaders());
            return super.setComplete().doOnSuccess(done -> this.recorder.complete(true));
        });
    }
}
