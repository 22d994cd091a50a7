package dev.httpretry.webclient;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.httpretry.actuate.RetryEndpoint;
import dev.httpretry.actuate.RetryStatistics;
import dev.httpretry.core.BackoffEvent;
import dev.httpretry.core.DelaySource;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.core.StopReason;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.RandomBytes;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static dev.httpretry.testing.Ports.closedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Request bodies sent the same on every attempt, budgets kept per destination, the rate-limit
 * headers as pushback and the attempt header, through the filter against real servers on 127.0.0.1.
 */
class BodiesBudgetsAndPushbackTests {

    private final List<DisposableServer> servers = new ArrayList<>();

    private final ListAppender<ILoggingEvent> leaks = new ListAppender<>();

    private ResourceLeakDetector.Level previousLevel;

    @BeforeEach
    void paranoid() {
        this.previousLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        this.leaks.start();
        ((Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector")).addAppender(this.leaks);
    }

    @AfterEach
    void stop() {
        this.servers.forEach((server) -> server.disposeNow(Duration.ofSeconds(5)));
        // make the leak detector look: unreachable buffers are reported when later ones are allocated
        for (int i = 0; i < 5; i++) {
            System.gc();
            io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(1024).release();
        }
        ((Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector")).detachAppender(this.leaks);
        ResourceLeakDetector.setLevel(this.previousLevel);
        assertThat(this.leaks.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch((message) -> message.contains("LEAK:"));
    }

    @Test
    void aMultipartBodyIsSentTheSameOnEveryAttempt() {
        Recorder server = recorder((n) -> (n == 1) ? 503 : 200);
        Harness harness = Harness.of(Harness.fastPolicy());
        MultipartBodyBuilder parts = new MultipartBodyBuilder();
        parts.part("name", "value");
        parts.part("file", new ByteArrayResource(RandomBytes.of(10_000)) {
            @Override
            public String getFilename() {
                return "upload.bin";
            }
        });

        harness.client(server.url).post().header("Idempotency-Key", "k1").body(BodyInserters.fromMultipartData(parts.build()))
            .retrieve().toBodilessEntity().block(Duration.ofSeconds(10));

        assertThat(server.bodies).hasSize(2);
        assertThat(server.bodies.get(1)).isEqualTo(server.bodies.get(0)).hasSizeGreaterThan(10_000);
    }

    /** The body's own error reaches the caller as it is: it is not the server's, and nothing is retried. */
    @Test
    void aBodyThatFailsHalfWayIsNotRetried() {
        Recorder server = recorder((n) -> 200);
        Harness harness = Harness.of(Harness.fastPolicy());
        IllegalStateException broken = new IllegalStateException("the upload source broke");
        Flux<DataBuffer> failing = Flux.concat(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(RandomBytes.of(4096))),
                Flux.error(broken));

        assertThatThrownBy(() -> harness.client(server.url).put().body(BodyInserters.fromDataBuffers(failing))
            .retrieve().toBodilessEntity().block(Duration.ofSeconds(10)))
            .hasRootCause(broken);

        assertThat(harness.listener.onlyCall().attempts()).isOne();
        assertThat(harness.listener.onlyCall().success()).isFalse();
    }

    @Test
    void cancellingMidUploadReleasesTheKeptBody() {
        Recorder server = recorder((n) -> 200);
        Harness harness = Harness.of(Harness.fastPolicy());
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        Flux<DataBuffer> slow = Flux.interval(Duration.ofMillis(20)).take(100)
            .<DataBuffer>map((i) -> DefaultDataBufferFactory.sharedInstance.wrap(RandomBytes.of(1024)))
            .doOnNext((buffer) -> sent.incrementAndGet());

        reactor.core.Disposable call = harness.client(server.url).put().body(BodyInserters.fromDataBuffers(slow))
            .retrieve().toBodilessEntity().subscribe();
        // mid-upload: some of the body has gone out, most has not
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> sent.get() >= 3);
        call.dispose();

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !harness.listener.calls.isEmpty());
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.CANCELLED);
    }

    /** Regression: a one-shot streamed body used to be sent empty on the retry, and a 200 hid the loss. */
    @Test
    void aOneShotStreamedBodyIsSentWholeOnEveryAttempt() {
        Recorder server = recorder((n) -> (n == 1) ? 503 : 200);
        Harness harness = Harness.of(Harness.fastPolicy());
        byte[] upload = RandomBytes.of(200_000);
        ByteArrayInputStream once = new ByteArrayInputStream(upload);

        harness.client(server.url).put()
            .body(BodyInserters.fromDataBuffers(DataBufferUtils.readInputStream(() -> once, DefaultDataBufferFactory.sharedInstance, 4096)))
            .retrieve().toBodilessEntity().block(Duration.ofSeconds(10));

        assertThat(server.bodies).hasSize(2).allSatisfy((body) -> assertThat(body).isEqualTo(upload));
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.NONE);
    }

    @Test
    void aBodyOverTheLimitIsSentOnceAndNotRetried() {
        Recorder server = recorder((n) -> 503);
        Harness harness = Harness.of(Harness.fastPolicy().bodyReplayLimit(1024));
        byte[] upload = RandomBytes.of(1025);

        assertThatThrownBy(() -> harness.client(server.url).put()
            .body(BodyInserters.fromDataBuffers(DataBufferUtils.readInputStream(() -> new ByteArrayInputStream(upload),
                    DefaultDataBufferFactory.sharedInstance, 256)))
            .retrieve().toBodilessEntity().block(Duration.ofSeconds(10)))
            .isInstanceOf(WebClientResponseException.ServiceUnavailable.class);

        assertThat(server.bodies).singleElement().isEqualTo(upload);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.BODY_NOT_REPLAYABLE);
    }

    @Test
    void aBodyAtTheLimitIsReplayed() {
        Recorder server = recorder((n) -> (n == 1) ? 503 : 200);
        Harness harness = Harness.of(Harness.fastPolicy().bodyReplayLimit(1024));
        byte[] upload = RandomBytes.of(1024);

        harness.client(server.url).put()
            .body(BodyInserters.fromDataBuffers(DataBufferUtils.readInputStream(() -> new ByteArrayInputStream(upload),
                    DefaultDataBufferFactory.sharedInstance, 256)))
            .retrieve().toBodilessEntity().block(Duration.ofSeconds(10));

        assertThat(server.bodies).hasSize(2).allSatisfy((body) -> assertThat(body).isEqualTo(upload));
    }

    /** One host's outage does not spend another host's retries. */
    @Test
    void eachDestinationHasItsOwnBudget() throws IOException {
        Recorder healthy = recorder((n) -> (n % 2 == 1) ? 503 : 200);
        int down = closedPort();
        RetryClients clients = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, Harness.fastPolicy().budgetEnabled(true)
            .budgetRatio(0).budgetMinRetriesPerSecond(1).build()), java.time.Clock.systemUTC());
        Harness harness = Harness.of(clients);
        WebClient client = harness.client("http://127.0.0.1");
        for (int i = 0; i < 20; i++) {
            client.get().uri("http://127.0.0.1:" + down + "/").retrieve().toBodilessEntity().onErrorResume((e) -> Mono.empty())
                .block(Duration.ofSeconds(10));
        }
        assertThat(harness.listener.calls).extracting((call) -> call.reason()).contains(StopReason.BUDGET);

        client.get().uri(healthy.url + "/").retrieve().toBodilessEntity().block(Duration.ofSeconds(10));

        assertThat(healthy.bodies).hasSize(2);
        assertThat(harness.listener.calls.get(harness.listener.calls.size() - 1).reason()).isEqualTo(StopReason.NONE);
        RetryEndpoint.ClientDescriptor described = new RetryEndpoint(clients, new RetryStatistics()).client("default");
        assertThat(described.state().budgetDestinations()).isEqualTo(2);
        assertThat(described.state().destinations()).extracting(RetryEndpoint.DestinationDescriptor::destination)
            .containsExactly("http://127.0.0.1:" + down, healthy.url);
        assertThat(described.state().budgetAvailable()).isZero();
    }

    @Test
    void theRateLimitHeadersLengthenTheWait() {
        Recorder server = recorder((n) -> (n == 1) ? 429 : 200, Map.of("RateLimit", "\"default\";r=0;t=1"));
        Harness harness = Harness.of(Harness.fastPolicy());

        harness.client(server.url).get().retrieve().toBodilessEntity().block(Duration.ofSeconds(10));

        assertThat(harness.listener.backoffs).singleElement().satisfies((wait) -> {
            assertThat(wait.source()).isEqualTo(DelaySource.RATE_LIMIT);
            assertThat(wait.delay()).isEqualTo(Duration.ofSeconds(1));
        });
    }

    @Test
    void retryAfterWinsOverTheRateLimitHeaders() {
        Recorder server = recorder((n) -> (n == 1) ? 429 : 200, Map.of("Retry-After", "0", "X-RateLimit-Reset", "30"));
        Harness harness = Harness.of(Harness.fastPolicy());

        harness.client(server.url).get().retrieve().toBodilessEntity().block(Duration.ofSeconds(10));

        assertThat(harness.listener.backoffs).singleElement().extracting(BackoffEvent::delay).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void aRateLimitResetPastMaxWaitStopsAtOnce() {
        Recorder server = recorder((n) -> 429, Map.of("X-RateLimit-Reset", "120"));
        Harness harness = Harness.of(Harness.fastPolicy());

        assertThatThrownBy(() -> harness.client(server.url).get().retrieve().toBodilessEntity().block(Duration.ofSeconds(10)))
            .isInstanceOf(WebClientResponseException.TooManyRequests.class);

        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.RETRY_AFTER_TOO_LONG);
    }

    @Test
    void theAttemptHeaderNumbersEveryAttemptAfterTheFirst() {
        Recorder server = recorder((n) -> (n < 3) ? 503 : 200);
        Harness harness = Harness.of(Harness.fastPolicy().attemptHeader("X-Retry-Attempt"));

        harness.client(server.url).get().retrieve().toBodilessEntity().block(Duration.ofSeconds(10));

        assertThat(server.attemptHeaders).containsExactly("none", "2", "3");
    }

    @Test
    void withoutTheSettingNoAttemptHeaderIsSent() {
        Recorder server = recorder((n) -> (n < 2) ? 503 : 200);
        Harness harness = Harness.of(Harness.fastPolicy());

        harness.client(server.url).get().retrieve().toBodilessEntity().block(Duration.ofSeconds(10));

        assertThat(server.attemptHeaders).containsExactly("none", "none");
        assertThat(RetryPolicy.defaults().settings().attemptHeader()).isEmpty();
    }

    private Recorder recorder(Function<Integer, Integer> statusOfRequest) {
        return recorder(statusOfRequest, Map.of());
    }

    private Recorder recorder(Function<Integer, Integer> statusOfRequest, Map<String, String> headers) {
        Recorder recorder = new Recorder();
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0).handle((request, response) -> {
            String attempt = request.requestHeaders().get("X-Retry-Attempt");
            return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap((body) -> {
                recorder.bodies.add(body);
                recorder.attemptHeaders.add(attempt != null ? attempt : "none");
                int status = statusOfRequest.apply(recorder.bodies.size());
                response.status(status);
                if (status >= 400) {
                    headers.forEach(response::header);
                }
                return response.sendString(Mono.just("answer")).then();
            });
        }).bindNow();
        this.servers.add(server);
        recorder.url = "http://127.0.0.1:" + server.port();
        return recorder;
    }

    private static final class Recorder {

        final List<byte[]> bodies = Collections.synchronizedList(new ArrayList<>());

        final List<String> attemptHeaders = Collections.synchronizedList(new ArrayList<>());

        String url;
    }
}
