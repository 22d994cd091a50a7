package dev.httpretry.webclient;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.RetryDeadlineExceededException;
import dev.httpretry.core.StopReason;
import dev.httpretry.testing.Harness;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Regression tests for what probing from outside found, each against a real server on 127.0.0.1:
 * a retried response whose body stalls or never ends, the {@code http.client.requests}
 * observation describing a response the caller never got, an attempt cancelled by the caller that
 * went uncounted, and waits that outlived the application.
 */
class ProbedFailuresTests {

    private final AtomicInteger requests = new AtomicInteger();

    private final CountDownLatch closed = new CountDownLatch(1);

    private DisposableServer server;

    @AfterEach
    void stop() {
        if (this.server != null) {
            this.server.disposeNow(Duration.ofSeconds(5));
        }
    }

    /** 503 with {@code Content-Length: 1000}, 10 bytes, then silence: the call still ends by its deadline. */
    @Test
    void aRetriedBodyThatStallsDoesNotHoldTheCallPastItsDeadline() {
        serve((request, response) -> {
            response.status(503).header("Content-Length", "1000");
            return request.receive().then(response.sendString(Mono.just("0123456789")).then()).then(Mono.never());
        });
        Harness harness = Harness.of(Harness.fastPolicy().deadline(Duration.ofSeconds(2)));
        long start = System.nanoTime();

        assertThatThrownBy(() -> harness.client(url()).get().retrieve().toBodilessEntity().block(Duration.ofSeconds(20)))
            .hasCauseInstanceOf(RetryDeadlineExceededException.class);

        // bounded by the deadline and the drain bound, where it used to hang past 15 s
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.DEADLINE);
        assertThat(this.requests.get()).isBetween(2, 3);
    }

    /** The stalled body's connection is closed by the client once the drain bound passes, not kept until the server gives up. */
    @Test
    void aStalledRetriedBodysConnectionIsClosed() throws InterruptedException {
        AtomicInteger n = new AtomicInteger();
        serve((request, response) -> {
            if (n.incrementAndGet() > 1) {
                return request.receive().then(response.status(200).sendString(Mono.just("ok")).then());
            }
            response.status(503).header("Content-Length", "1000").withConnection((connection) -> connection.onDispose(this.closed::countDown));
            return request.receive().then(response.sendString(Mono.just("0123456789")).then()).then(Mono.never());
        });
        Harness harness = Harness.of(Harness.fastPolicy().deadline(Duration.ofSeconds(30)));

        harness.client(url()).get().retrieve().toBodilessEntity().block(Duration.ofSeconds(20));

        assertThat(this.closed.await(3, TimeUnit.SECONDS)).isTrue();
        assertThat(this.requests.get()).isEqualTo(2);
    }

    /** A chunked 503 body that never ends is dropped by closing its connection, at once when the caller cancels. */
    @Test
    void aRetriedBodyThatNeverEndsIsDroppedWhenTheCallerCancels() throws InterruptedException {
        serve((request, response) -> {
            response.status(503).withConnection((connection) -> connection.onDispose(this.closed::countDown));
            return request.receive().then(response.sendString(Flux.interval(Duration.ofMillis(5)).map((n) -> "chunk " + n + "\n")).then());
        });
        Harness harness = Harness.of(Harness.fastPolicy().initialDelay(Duration.ofSeconds(5)).maxDelay(Duration.ofSeconds(5)));

        Disposable call = harness.client(url()).get().retrieve().toBodilessEntity().subscribe();
        await().atMost(Duration.ofSeconds(5)).until(() -> harness.listener.backoffs.size() == 1);
        call.dispose();

        // the server sees its connection closed, where it used to stream on after the cancel
        assertThat(this.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.CANCELLED);
        assertThat(this.requests.get()).isEqualTo(1);
    }

    /** Attempt 1 is a retried 503, attempt 2's connection closes: the call's observation must not say 503. */
    @Test
    void theCallsObservationDescribesWhatTheCallerGot() {
        AtomicInteger n = new AtomicInteger();
        serve((request, response) -> (n.incrementAndGet() == 1)
                ? request.receive().then(response.status(503).sendString(Mono.just("busy")).then())
                : request.receive().then(Mono.fromRunnable(() -> response.withConnection((c) -> c.channel().close()))));
        MeterRegistry meters = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        Harness harness = Harness.of(Harness.fastPolicy().maxAttempts(2));
        WebClient client = WebClient.builder().observationRegistry(observations).baseUrl(url())
            .filter(harness.filter()).build();

        assertThatThrownBy(() -> client.get().retrieve().toBodilessEntity().block(Duration.ofSeconds(10)))
            .isInstanceOf(WebClientRequestException.class);

        await().atMost(Duration.ofSeconds(5)).until(() -> meters.find("http.client.requests").timer() != null);
        Timer requestsTimer = meters.get("http.client.requests").timer();
        assertThat(requestsTimer.count()).isOne();
        assertThat(requestsTimer.getId().getTag("status")).isNotEqualTo("503");
        assertThat(requestsTimer.getId().getTag("outcome")).isNotEqualTo("SERVER_ERROR");
    }

    /** An outer timeout cancels a slow call: its attempt is counted too, once. */
    @Test
    void anAttemptTheCallerCancelsIsCounted() {
        serve((request, response) -> request.receive().then(Mono.never()));
        Harness harness = Harness.of(Harness.fastPolicy());

        assertThatThrownBy(() -> harness.client(url()).get().retrieve().toBodilessEntity()
            .timeout(Duration.ofMillis(200)).block(Duration.ofSeconds(10)));

        await().atMost(Duration.ofSeconds(5)).until(() -> !harness.listener.calls.isEmpty());
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.CANCELLED);
        assertThat(harness.listener.onlyCall().attempts()).isOne();
        List<AttemptEvent> attempts = harness.listener.attempts;
        assertThat(attempts).singleElement().satisfies((attempt) -> {
            assertThat(attempt.attempt()).isOne();
            assertThat(attempt.retried()).isFalse();
            assertThat(attempt.error()).isInstanceOf(java.util.concurrent.CancellationException.class);
        });
    }

    /** Shutting down ends the calls that wait to retry at once, with an error that says why. */
    @Test
    void shutdownEndsPendingWaitsAtOnce() {
        serve((request, response) -> request.receive().then(response.status(503).header("Retry-After", "50").send()));
        Harness harness = Harness.of(Harness.fastPolicy().deadline(Duration.ofMinutes(2)));
        RetryExchangeFilterFunction filter = harness.filter();
        WebClient client = WebClient.builder().baseUrl(url()).filter(filter).build();
        Mono<?> call = client.get().retrieve().toBodilessEntity();
        AtomicInteger ended = new AtomicInteger();
        Throwable[] error = new Throwable[1];
        call.subscribe(null, (ex) -> {
            error[0] = ex;
            ended.incrementAndGet();
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> harness.listener.backoffs.size() == 1);

        filter.getWaits().stop();

        await().atMost(Duration.ofSeconds(2)).until(() -> ended.get() == 1);
        assertThat(error[0]).isInstanceOf(IllegalStateException.class).hasMessageContaining("shutting down");
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.SHUTDOWN);
        // and a call that fails afterwards is not retried: it gets the response as it was
        assertThatThrownBy(() -> client.get().retrieve().toBodilessEntity().block(Duration.ofSeconds(5)))
            .isInstanceOf(IllegalStateException.class);
        assertThat(this.requests.get()).isEqualTo(2);
    }

    private void serve(java.util.function.BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> handler) {
        this.server = HttpServer.create().host("127.0.0.1").port(0).handle((request, response) -> {
            this.requests.incrementAndGet();
            return handler.apply(request, response);
        }).bindNow();
    }

    private String url() {
        return "http://127.0.0.1:" + this.server.port();
    }
}
