package dev.httpretry.benchmarks.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.support.ClientResponseWrapper;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Below the retry filter, so once per attempt: counts the attempt (per call, those sent to the
 * server), checks that it does not come before the {@code Retry-After} of the response the retry
 * filter released for this call, and sends a share of attempts to a port where nothing listens, so
 * that some attempts fail to connect. Owns that port: {@link #close()} frees it.
 */
final class AttemptFilter implements ExchangeFilterFunction, AutoCloseable {

    private final SoakSettings settings;

    private final Clock clock;

    private final DroppedSignals samples;

    private final Socket closedPort;

    /** Guarded by itself: which attempts go to the closed port. */
    private final SplittableRandom refusals;

    private final LongAdder refused = new LongAdder();

    private final LongAdder attemptsSent = new LongAdder();

    /** Per call, when the Retry-After of the response retried last lets the next attempt go (0: no bound). */
    private final AtomicLongArray notBeforeNanos;

    /** Per call, the HTTP-date of the response retried last, if it gave one. */
    private final AtomicReferenceArray<@Nullable Instant> notBeforeDates;

    private final LongAdder retriedBeforeRetryAfter = new LongAdder();

    /** Per call, the attempts sent to the server (not to the closed port). */
    private final AtomicIntegerArray toServer;

    /**
     * Binds the closed port.
     * @param settings the soak's knobs: calls, seed, and the share of attempts refused
     * @param clock the clock an HTTP-date {@code Retry-After} is compared with
     * @param samples where an attempt sent too early is described
     */
    AttemptFilter(SoakSettings settings, Clock clock, DroppedSignals samples) {
        this.settings = settings;
        this.clock = clock;
        this.samples = samples;
        this.refusals = new SplittableRandom(settings.seed() ^ 0x7EF5_5EDL);
        this.closedPort = closedPort();
        this.notBeforeNanos = new AtomicLongArray(settings.calls());
        this.notBeforeDates = new AtomicReferenceArray<>(settings.calls());
        this.toServer = new AtomicIntegerArray(settings.calls());
    }

    /**
     * Attempts that went through this filter.
     * @return the count
     */
    long attemptsSent() {
        return this.attemptsSent.sum();
    }

    /**
     * Attempts sent to the closed port.
     * @return the count
     */
    long refused() {
        return this.refused.sum();
    }

    /**
     * The attempts of one call that were sent to the server (not to the closed port); some may not
     * have reached it (cancelled before they were written).
     * @param index the call's number
     * @return the count
     */
    int attemptsToServer(int index) {
        return this.toServer.get(index);
    }

    /**
     * Attempts sent before the {@code Retry-After} of the call's previous, retried response had passed.
     * @return the count
     */
    long retriedBeforeRetryAfter() {
        return this.retriedBeforeRetryAfter.sum();
    }

    @Override
    public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
        this.attemptsSent.increment();
        int index = (Integer) request.attribute(ChaosSoak.CALL_INDEX).orElse(-1);
        if (index >= 0) {
            checkRetryAfter(index);
        }
        boolean calm = request.headers().containsHeader(ChaosServer.CALM);
        boolean refuse;
        synchronized (this.refusals) {
            refuse = this.refusals.nextInt(100) < this.settings.refusedPercent();
        }
        ClientRequest target = request;
        if (!calm && refuse) {
            this.refused.increment();
            URI closed = UriComponentsBuilder.fromUri(request.url()).port(this.closedPort.getLocalPort()).build(true).toUri();
            target = ClientRequest.from(request).url(closed).build();
        }
        else if (index >= 0) {
            this.toServer.incrementAndGet(index);
        }
        Mono<ClientResponse> exchange = next.exchange(target);
        return (index < 0) ? exchange : exchange.map((response) -> new RetryAfterRecorder(response, index));
    }

    private void checkRetryAfter(int index) {
        long notBefore = this.notBeforeNanos.getAndSet(index, 0);
        Instant notBeforeDate = this.notBeforeDates.getAndSet(index, null);
        long now = System.nanoTime();
        Instant wallNow = this.clock.instant();
        if ((notBefore != 0 && now - notBefore < 0) || (notBeforeDate != null && wallNow.isBefore(notBeforeDate))) {
            this.retriedBeforeRetryAfter.increment();
            this.samples.sample("call-" + index + " attempt sent " + ((notBefore != 0)
                    ? ((notBefore - now) / 1000) + " us before a delta Retry-After passed"
                    : Duration.between(wallNow, notBeforeDate).toNanos() / 1000 + " us before the HTTP-date " + notBeforeDate));
        }
    }

    @Override
    public void close() {
        try {
            this.closedPort.close();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A port on 127.0.0.1 that is bound but never listens, so every connection to it is refused,
     * and no other process can take it while the soak runs.
     */
    private static Socket closedPort() {
        try {
            Socket socket = new Socket();
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * The retry filter reads a response's status and headers to decide on it, and releases the
     * body of one it retries just before the wait: from then on, the response's {@code Retry-After}
     * bounds the next attempt of the call. A response released without being read first is one
     * that arrived after its attempt had timed out: the filter never saw its {@code Retry-After}.
     */
    private final class RetryAfterRecorder extends ClientResponseWrapper {

        private final int index;

        private volatile boolean read;

        RetryAfterRecorder(ClientResponse delegate, int index) {
            super(delegate);
            this.index = index;
        }

        @Override
        public ClientResponse.Headers headers() {
            this.read = true;
            return super.headers();
        }

        @Override
        public Mono<Void> releaseBody() {
            String retryAfter = response().headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER);
            if (this.read && retryAfter != null && !retryAfter.isBlank()) {
                if (retryAfter.chars().allMatch(Character::isDigit)) {
                    long seconds = Long.parseLong(retryAfter);
                    if (seconds > 0) {
                        AttemptFilter.this.notBeforeNanos.set(this.index, System.nanoTime() + seconds * 1_000_000_000L);
                    }
                }
                else {
                    AttemptFilter.this.notBeforeDates.set(this.index,
                            ZonedDateTime.parse(retryAfter, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                }
            }
            return super.releaseBody();
        }
    }
}
