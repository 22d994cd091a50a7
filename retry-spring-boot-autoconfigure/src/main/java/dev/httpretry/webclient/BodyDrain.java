package dev.httpretry.webclient;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * Reads and frees the body of a response that is retried, so its connection can go back to the
 * pool, but never for long: a body longer than {@value #MAX_BYTES} bytes, or one that has not ended
 * within {@link #MAX_NANOS 1 s} (or the time left before the deadline, if less), is dropped by
 * cancelling it, which closes its connection instead of waiting for a server that stalls or streams
 * without end. Whichever of the end of the body, the bound and {@link #dispose()} (the caller
 * cancelled) comes first wins; then {@code next} runs, unless it was {@code dispose()}.
 */
final class BodyDrain implements CoreSubscriber<DataBuffer>, Disposable, Runnable {

    /** The most bytes of a retried response's body that are read to keep its connection: {@value}. */
    static final long MAX_BYTES = 64 * 1024;

    /** The longest a retried response's body is read to keep its connection: 1 second. */
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final AtomicIntegerFieldUpdater<BodyDrain> DONE = AtomicIntegerFieldUpdater.newUpdater(BodyDrain.class, "done");

    private final Scheduler scheduler;

    private final long maxNanos;

    private final Runnable next;

    private volatile int done;

    private volatile @Nullable Subscription body;

    private volatile @Nullable Disposable timer;

    private long bytes;

    BodyDrain(Scheduler scheduler, long maxNanos, Runnable next) {
        this.scheduler = scheduler;
        this.maxNanos = maxNanos;
        this.next = next;
    }

    void drain(ClientResponse response) {
        try {
            this.timer = this.scheduler.schedule(this, Math.max(0, this.maxNanos), TimeUnit.NANOSECONDS);
        }
        catch (RuntimeException rejected) {
            // no timer: the bytes bound still holds, and the deadline's check before the next attempt
        }
        response.body(BodyExtractors.toDataBuffers()).subscribe(this);
    }

    @Override
    public void onSubscribe(Subscription subscription) {
        this.body = subscription;
        if (this.done != 0) {
            subscription.cancel();
        }
        else {
            subscription.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(DataBuffer buffer) {
        this.bytes += buffer.readableByteCount();
        DataBufferUtils.release(buffer);
        if (this.bytes > MAX_BYTES && DONE.compareAndSet(this, 0, 1)) {
            cancelBody();
            finish();
        }
    }

    @Override
    public void onError(Throwable error) {
        // the retried response's body failed: the decision stands, the connection is the connector's to close
        if (DONE.compareAndSet(this, 0, 1)) {
            finish();
        }
    }

    @Override
    public void onComplete() {
        if (DONE.compareAndSet(this, 0, 1)) {
            finish();
        }
    }

    /** The time bound. */
    @Override
    public void run() {
        if (DONE.compareAndSet(this, 0, 1)) {
            cancelBody();
            this.next.run();
        }
    }

    /** The caller cancelled: drop the body (closing its connection) and do not go on. */
    @Override
    public void dispose() {
        if (DONE.compareAndSet(this, 0, 1)) {
            cancelBody();
            disposeTimer();
        }
    }

    @Override
    public boolean isDisposed() {
        return this.done != 0;
    }

    private void finish() {
        disposeTimer();
        this.next.run();
    }

    private void cancelBody() {
        Subscription subscription = this.body;
        if (subscription != null) {
            subscription.cancel();
        }
    }

    private void disposeTimer() {
        Disposable pending = this.timer;
        if (pending != null) {
            pending.dispose();
        }
    }
}
