package dev.httpretry.webclient;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.httpretry.core.InvalidSettingException;
import dev.httpretry.testing.BodyRecordingServer;
import dev.httpretry.testing.RandomBytes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

import static dev.httpretry.testing.Ports.closedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Each body is sent twice through a plain WebClient to a real server, which must receive the same
 * bytes both times. Bodies are one-shot streams of pooled buffers, and Netty's leak detector runs at
 * paranoid: every buffer, sent, recorded, cancelled or failed, must be released.
 */
class ReplayableBodyTests {

    private static final int LIMIT = 64 * 1024;

    private final BodyRecordingServer server = new BodyRecordingServer();

    private final NettyDataBufferFactory pooled = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT);

    private final ListAppender<ILoggingEvent> leaks = new ListAppender<>();

    private final List<ReplayableBody> bodies = new CopyOnWriteArrayList<>();

    private ResourceLeakDetector.Level previousLevel;

    private ConnectionProvider pool;

    @BeforeEach
    void paranoid() {
        this.previousLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        this.leaks.start();
        ((Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector")).addAppender(this.leaks);
        this.pool = ConnectionProvider.builder("replay-tests").maxConnections(2).build();
    }

    @AfterEach
    void nothingLeaked() {
        try {
            // The detector reports a leaked buffer once it is collected and a later buffer is tracked.
            for (int i = 0; i < 3; i++) {
                System.gc();
                for (int j = 0; j < 200; j++) {
                    ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(16);
                    probe.release();
                }
            }
            assertThat(this.leaks.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch((message) -> message.contains("LEAK:"));
        }
        finally {
            ((Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector")).detachAppender(this.leaks);
            ResourceLeakDetector.setLevel(this.previousLevel);
            this.pool.disposeLater().block(Duration.ofSeconds(5));
            this.server.close();
        }
    }

    private WebClient client(ExchangeFilterFunction filter) {
        HttpClient http = HttpClient.create(this.pool).option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
        return WebClient.builder().baseUrl(this.server.url()).clientConnector(new ReactorClientHttpConnector(http)).filter(filter).build();
    }

    /**
     * Sends each request twice in sequence, through {@link ReplayableBody#request()}, and answers the
     * second response; the first response's body is released. A body that is not replayable after
     * the first attempt is not sent again, and the first response is the answer.
     */
    private ExchangeFilterFunction twice(long limit) {
        return (request, next) -> {
            ReplayableBody body = ReplayableBody.of(request, limit);
            this.bodies.add(body);
            return next.exchange(body.request())
                .flatMap((first) -> body.replayable() ? first.releaseBody().then(next.exchange(body.request())) : Mono.just(first))
                .doFinally((signal) -> body.release());
        };
    }

    private ReplayableBody onlyBody() {
        assertThat(this.bodies).hasSize(1);
        return this.bodies.get(0);
    }

    /** A body that can be read once: a second subscription reads the exhausted stream, so it is empty. */
    private Flux<DataBuffer> oneShot(byte[] content) {
        InputStream stream = new ByteArrayInputStream(content);
        return DataBufferUtils.readInputStream(() -> stream, this.pooled, 4096);
    }

    private String postStream(WebClient client, byte[] content) {
        return client.post().body(BodyInserters.fromDataBuffers(oneShot(content))).retrieve().bodyToMono(String.class)
            .block(Duration.ofSeconds(30));
    }

    private void assertReceivedTwice(byte[] content) {
        List<BodyRecordingServer.Received> received = this.server.received();
        assertThat(received).hasSize(2);
        assertThat(received.get(0).body()).isEqualTo(content);
        assertThat(received.get(1).body()).isEqualTo(content);
    }

    /** The problem solved here: without it, the second attempt of a one-shot body is sent empty, and answered 200. */
    @Test
    void withoutReplayTheSecondAttemptOfAOneShotBodyIsSentEmpty() {
        byte[] content = RandomBytes.of(10_000);
        WebClient client = client((request, next) -> next.exchange(request)
            .flatMap((first) -> first.releaseBody().then(next.exchange(request))));

        assertThat(postStream(client, content)).isEqualTo("ok 2");

        List<BodyRecordingServer.Received> received = this.server.received();
        assertThat(received.get(0).body()).isEqualTo(content);
        assertThat(received.get(1).body()).isEmpty();
    }

    @Test
    void streamedBodyUnderTheLimitIsSentWholeTwice() {
        byte[] content = RandomBytes.of(LIMIT - 1000);

        assertThat(postStream(client(twice(LIMIT)), content)).isEqualTo("ok 2");

        assertReceivedTwice(content);
        assertThat(onlyBody().mayHaveSent()).isTrue();
    }

    @Test
    void streamedBodyExactlyAtTheLimitIsSentWholeTwice() {
        byte[] content = RandomBytes.of(LIMIT);

        assertThat(postStream(client(twice(LIMIT)), content)).isEqualTo("ok 2");

        assertReceivedTwice(content);
    }

    @Test
    void streamedBodyJustOverTheLimitIsSentWholeOnceAndNotReplayable() {
        byte[] content = RandomBytes.of(LIMIT + 1);

        assertThat(postStream(client(twice(LIMIT)), content)).isEqualTo("ok 1");

        List<BodyRecordingServer.Received> received = this.server.received();
        assertThat(received).hasSize(1);
        assertThat(received.get(0).body()).isEqualTo(content);
        ReplayableBody body = onlyBody();
        assertThat(body.replayable()).isFalse();
        assertThat(body.mayHaveSent()).isTrue();
    }

    /** Sent again anyway, a body over the limit fails the attempt before anything of it leaves: never empty, never cut. */
    @Test
    void bodyOverTheLimitSentAgainAnywayFailsWithoutSendingAnything() {
        byte[] content = RandomBytes.of(LIMIT + 1);
        WebClient client = client((request, next) -> {
            ReplayableBody body = ReplayableBody.of(request, LIMIT);
            this.bodies.add(body);
            return next.exchange(body.request())
                .flatMap((first) -> first.releaseBody().then(next.exchange(body.request())))
                .doFinally((signal) -> body.release());
        });

        assertThatThrownBy(() -> postStream(client, content))
            .satisfies((thrown) -> assertThat(causes(thrown)).filteredOn(BodyNotReplayableException.class::isInstance)
                .singleElement().satisfies((cause) -> assertThat(cause).hasMessage(
                        "The request body cannot be sent again: it is longer than the replay limit of 65536 bytes")));
        assertThat(this.server.received()).singleElement().satisfies((received) -> assertThat(received.body()).isEqualTo(content));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> this.server.started() == 1);
    }

    @Test
    void emptyStreamedBodyIsSentEmptyTwice() {
        assertThat(postStream(client(twice(LIMIT)), new byte[0])).isEqualTo("ok 2");

        assertReceivedTwice(new byte[0]);
    }

    @Test
    void zeroLimitKeepsOnlyAnEmptyBody() {
        assertThat(postStream(client(twice(0)), new byte[] { 1 })).isEqualTo("ok 1");
        assertThat(onlyBody().replayable()).isFalse();
    }

    @Test
    void multipartBodyIsSentWithTheSameBoundaryAndBytesTwice() {
        byte[] file = RandomBytes.of(20_000);
        MultipartBodyBuilder multipart = new MultipartBodyBuilder();
        multipart.part("name", "value");
        multipart.asyncPart("file", oneShot(file), DataBuffer.class).filename("data.bin")
            .contentType(MediaType.APPLICATION_OCTET_STREAM);

        String answer = client(twice(LIMIT)).post().body(BodyInserters.fromMultipartData(multipart.build())).retrieve()
            .bodyToMono(String.class).block(Duration.ofSeconds(30));

        assertThat(answer).isEqualTo("ok 2");
        List<BodyRecordingServer.Received> received = this.server.received();
        assertThat(received).hasSize(2);
        assertThat(received.get(0).header("Content-Type")).startsWith("multipart/form-data;").contains("boundary=");
        assertThat(received.get(1).header("Content-Type")).isEqualTo(received.get(0).header("Content-Type"));
        assertThat(received.get(1).body()).isEqualTo(received.get(0).body());
        assertThat(indexOf(received.get(1).body(), file)).isPositive();
    }

    @Test
    void stringBodyIsSentTwiceWithTheSameContentLength() {
        String answer = client(twice(LIMIT)).post().contentType(MediaType.TEXT_PLAIN).bodyValue("héllo, twice")
            .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(30));

        assertThat(answer).isEqualTo("ok 2");
        byte[] content = "héllo, twice".getBytes(StandardCharsets.UTF_8);
        assertReceivedTwice(content);
        List<BodyRecordingServer.Received> received = this.server.received();
        assertThat(received.get(0).header("Content-Length")).isEqualTo(String.valueOf(content.length));
        assertThat(received.get(1).header("Content-Length")).isEqualTo(String.valueOf(content.length));
        assertThat(received.get(1).header("Content-Type")).isEqualTo(received.get(0).header("Content-Type"));
    }

    @Test
    void bodyWhoseContentLengthIsOverTheLimitIsNotRecordedAtAll() {
        String answer = client(twice(5)).post().bodyValue("longer than five").retrieve().bodyToMono(String.class)
            .block(Duration.ofSeconds(30));

        assertThat(answer).isEqualTo("ok 1");
        assertThat(onlyBody().replayable()).isFalse();
    }

    @Test
    void requestWithoutBodyIsHandedBackUntouched() {
        AtomicInteger same = new AtomicInteger();
        WebClient client = client((request, next) -> {
            ReplayableBody body = ReplayableBody.of(request, LIMIT);
            if (body.request() == request) {
                same.incrementAndGet();
            }
            assertThat(body.replayable()).isTrue();
            assertThat(body.mayHaveSent()).isFalse();
            assertThat(body).hasToString("ReplayableBody[no body]");
            body.release();
            return next.exchange(body.request()).flatMap((first) -> first.releaseBody().then(next.exchange(body.request())));
        });

        assertThat(client.get().retrieve().bodyToMono(String.class).block(Duration.ofSeconds(30))).isEqualTo("ok 2");

        assertThat(same).hasValue(1);
        assertThat(this.server.received()).extracting(BodyRecordingServer.Received::method).containsExactly("GET", "GET");
        assertThat(this.server.received()).allSatisfy((received) -> assertThat(received.body()).isEmpty());
    }

    @Test
    void bodyFailingHalfWayFailsTheCallWithItsOwnError() {
        IOException broken = new IOException("disk gone");
        Flux<DataBuffer> failing = Flux.concat(oneShot(RandomBytes.of(10_000)), Mono.error(broken));

        assertThatThrownBy(() -> client(twice(LIMIT)).post().body(BodyInserters.fromDataBuffers(failing)).retrieve()
            .bodyToMono(String.class).block(Duration.ofSeconds(30)))
            .satisfies((thrown) -> assertThat(causes(thrown)).contains(broken));

        ReplayableBody body = onlyBody();
        assertThat(body.replayable()).isFalse();
        assertThat(body.mayHaveSent()).isTrue();
        // a plain WebClient fails the same way
        assertThatThrownBy(() -> WebClient.create(this.server.url()).post()
            .body(BodyInserters.fromDataBuffers(Flux.concat(oneShot(RandomBytes.of(10)), Mono.error(broken)))).retrieve()
            .bodyToMono(String.class).block(Duration.ofSeconds(30)))
            .satisfies((thrown) -> assertThat(causes(thrown)).contains(broken));
    }

    /** An inserter that throws instead of returning an error ends the recording too: a later attempt fails, never waits forever. */
    @Test
    void inserterThatThrowsEndsTheRecording() {
        IllegalStateException broken = new IllegalStateException("inserter broke");
        BodyInserter<Object, ClientHttpRequest> throwing = (message, context) -> {
            throw broken;
        };
        List<Throwable> firstErrors = new CopyOnWriteArrayList<>();
        WebClient client = client((request, next) -> {
            ReplayableBody body = ReplayableBody.of(request, LIMIT);
            this.bodies.add(body);
            return next.exchange(body.request())
                .onErrorResume((error) -> {
                    firstErrors.add(error);
                    return next.exchange(body.request());
                })
                .doFinally((signal) -> body.release());
        });

        assertThatThrownBy(() -> client.post().body(throwing).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10)))
            .satisfies((thrown) -> assertThat(causes(thrown)).filteredOn(BodyNotReplayableException.class::isInstance)
                .singleElement().satisfies((cause) -> assertThat(cause.getMessage())
                    .startsWith("The request body cannot be sent again: its first attempt ended (onError)")));
        assertThat(firstErrors).singleElement().satisfies((error) -> assertThat(causes(error)).contains(broken));
        assertThat(onlyBody().replayable()).isFalse();
        assertThat(onlyBody().mayHaveSent()).isFalse();
    }

    @Test
    void attemptWhoseConnectionWasRefusedLeavesTheBodyForTheNextAttempt() throws IOException {
        byte[] content = RandomBytes.of(30_000);
        URI refused = URI.create("http://127.0.0.1:" + closedPort() + "/");
        AtomicBoolean firstFailed = new AtomicBoolean();
        WebClient client = client((request, next) -> {
            ReplayableBody body = ReplayableBody.of(request, LIMIT);
            this.bodies.add(body);
            return next.exchange(ClientRequest.from(body.request()).url(refused).build())
                .onErrorResume((error) -> {
                    firstFailed.set(true);
                    assertThat(body.mayHaveSent()).isFalse();
                    assertThat(body.replayable()).isTrue();
                    return next.exchange(body.request());
                })
                .flatMap((second) -> second.releaseBody().then(next.exchange(body.request())))
                .doFinally((signal) -> body.release());
        });

        assertThat(postStream(client, content)).isEqualTo("ok 2");

        assertThat(firstFailed).isTrue();
        assertReceivedTwice(content);
    }

    /** A later attempt that starts while the first is still sending waits for the recording, as a hedged copy would. */
    @Test
    void attemptStartedWhileTheFirstIsStillSendingWaitsForTheRecording() {
        byte[] content = RandomBytes.of(40_000);
        Flux<DataBuffer> slow = oneShot(content).delayElements(Duration.ofMillis(20));
        WebClient client = client((request, next) -> {
            ReplayableBody body = ReplayableBody.of(request, LIMIT);
            this.bodies.add(body);
            Mono<ClientResponse> first = next.exchange(body.request());
            Mono<ClientResponse> second = Mono.delay(Duration.ofMillis(50)).then(next.exchange(body.request()));
            return Mono.zip(first, second)
                .flatMap((both) -> both.getT1().releaseBody().thenReturn(both.getT2()))
                .doFinally((signal) -> body.release());
        });

        assertThat(client.post().body(BodyInserters.fromDataBuffers(slow)).retrieve().bodyToMono(String.class)
            .block(Duration.ofSeconds(30))).startsWith("ok ");

        assertReceivedTwice(content);
    }

    @Test
    void releasedBodyIsNotSentAgain() {
        byte[] content = RandomBytes.of(1000);
        WebClient client = client((request, next) -> {
            ReplayableBody body = ReplayableBody.of(request, LIMIT);
            this.bodies.add(body);
            return next.exchange(body.request())
                .flatMap((first) -> first.releaseBody())
                .then(Mono.fromRunnable(() -> {
                    body.release();
                    body.release();
                }))
                .then(next.exchange(body.request()));
        });

        assertThatThrownBy(() -> postStream(client, content))
            .satisfies((thrown) -> assertThat(causes(thrown)).filteredOn(BodyNotReplayableException.class::isInstance)
                .singleElement().satisfies((cause) -> assertThat(cause).hasMessage(
                        "The request body cannot be sent again: it was released when its call ended")));
        assertThat(this.server.received()).hasSize(1);
        assertThat(onlyBody().replayable()).isFalse();
    }

    /** The caller cancels during a slow upload: the body's subscription is cancelled, and after release nothing is kept or leaked. */
    @Test
    void cancelMidUploadThenReleaseLeaksNothing() {
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean cancelled = new AtomicBoolean();
        Flux<DataBuffer> slow = Flux.interval(Duration.ofMillis(10)).take(500)
            .map((i) -> {
                sent.incrementAndGet();
                return (DataBuffer) this.pooled.wrap(PooledByteBufAllocator.DEFAULT.buffer(1024).writeZero(1024));
            })
            .doOnCancel(() -> cancelled.set(true));

        Disposable call = client(twice(LIMIT)).post().body(BodyInserters.fromDataBuffers(slow)).retrieve()
            .bodyToMono(String.class).subscribe((answer) -> { }, (error) -> { });
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() >= 10);
        call.dispose();

        await().atMost(Duration.ofSeconds(10)).untilTrue(cancelled);
        ReplayableBody body = onlyBody();
        await().atMost(Duration.ofSeconds(10)).until(() -> !body.replayable());
        assertThat(body.mayHaveSent()).isTrue();
        body.release();
        body.release();
        assertThat(body).hasToString("ReplayableBody[RELEASED]");
    }

    /** A body written in flushed groups (as a streaming writer does) is recorded once every group has ended. */
    @Test
    void bodyWrittenInFlushedGroupsIsSentWholeTwice() {
        byte[] content = RandomBytes.of(50_000);
        Flux<DataBuffer> stream = oneShot(content);
        BodyInserter<Object, ClientHttpRequest> grouped = (message, context) -> message.writeAndFlushWith(stream.window(3));

        assertThat(client(twice(LIMIT)).post().body(grouped).retrieve().bodyToMono(String.class)
            .block(Duration.ofSeconds(30))).isEqualTo("ok 2");

        assertReceivedTwice(content);
    }

    @Test
    void bodyWrittenInFlushedGroupsOverTheLimitIsNotReplayable() {
        byte[] content = RandomBytes.of(LIMIT + 1);
        Flux<DataBuffer> stream = oneShot(content);
        BodyInserter<Object, ClientHttpRequest> grouped = (message, context) -> message.writeAndFlushWith(stream.window(2));

        assertThat(client(twice(LIMIT)).post().body(grouped).retrieve().bodyToMono(String.class)
            .block(Duration.ofSeconds(30))).isEqualTo("ok 1");

        assertThat(this.server.received()).singleElement().satisfies((received) -> assertThat(received.body()).isEqualTo(content));
        assertThat(onlyBody().replayable()).isFalse();
    }

    /** An inserter other than {@link BodyInserters#empty()} that completes the request without a body. */
    @Test
    void bodyCompletedWithoutContentIsCompletedAgain() {
        BodyInserter<Object, ClientHttpRequest> nothing = (message, context) -> message.setComplete();

        assertThat(client(twice(LIMIT)).post().body(nothing).retrieve().bodyToMono(String.class)
            .block(Duration.ofSeconds(30))).isEqualTo("ok 2");

        assertReceivedTwice(new byte[0]);
    }

    @Test
    void limitOutOfRangeIsRejected() {
        ClientRequest request = ClientRequest.create(HttpMethod.GET, URI.create(this.server.url())).build();
        assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> ReplayableBody.of(request, -1))
            .withMessage("Invalid body-replay-limit (-1B): must be between 0 and 2147483639 bytes");
        assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> ReplayableBody.of(request, 1L << 31));
        assertThat(ReplayableBody.of(request, ReplayableBody.MAX_LIMIT_BYTES).request()).isSameAs(request);
    }

    private static List<Throwable> causes(Throwable thrown) {
        List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable t = thrown; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
