package dev.httpretry.webclient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.httpretry.client.RetryRequests;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.LeakWatch;
import dev.httpretry.testing.TestServer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;

import org.springframework.web.reactive.function.client.WebClient;

import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A lost copy's connection is never handed to another request. Two connections on two event loops:
 * a hedged call's copies take both, and two more requests wait for a connection. The server answers
 * both copies at once; the original's answer is held at the door of its event loop until the call has
 * been answered through the hedge, which cancelled the original from the hedge's event loop. Reactor
 * Netty queues that cancel's close on the original's loop, behind the answer it is reading: the
 * answer ends the exchange, and the connection goes back to the pool, to the request that waits,
 * which the queued close would then cut ("Connection prematurely closed BEFORE response", or closed
 * before it is sent). Marked not to be kept alive before the cancel, the connection is closed instead,
 * and the waiting request gets a new one.
 */
class HedgedConnectionReuseTests {

    private final TestServer server = new TestServer();

    private final LeakWatch watch = new LeakWatch("two-connections", 2, -1);

    /** Two event loops, handed out in turn (not colocated with the caller's). */
    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        this.watch.close();
        this.server.close();
        this.loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void aLostCopysConnectionIsClosedNotHandedToTheRequestWaitingForOne() throws Exception {
        CountDownLatch hedgeArrived = new CountDownLatch(1);
        Sinks.Empty<Void> answer = Sinks.empty();
        AtomicInteger copies = new AtomicInteger();
        this.server.otherwise((request, response) -> switch (request.path()) {
            // the original waits for its hedge; both are answered when the test says so
            case "race" -> {
                boolean original = copies.incrementAndGet() == 1;
                if (!original) {
                    hedgeArrived.countDown();
                }
                yield answer.asMono().then(status(200).header("X-Copy", original ? "original" : "hedge")
                    .body(original ? "original" : "hedge").respond(request, response));
            }
            case "slow" -> Mono.delay(Duration.ofMillis(500)).then(status(200).body("slow").respond(request, response));
            default -> status(200).body("fast").respond(request, response);
        });
        CountDownLatch called = new CountDownLatch(1);
        Set<String> loopsOfTheCopies = ConcurrentHashMap.newKeySet();
        HttpClient http = HttpClient.create(this.watch.pool).runOn(this.loops)
            .doOnChannelInit((observer, channel, address) -> channel.pipeline().addFirst(new HoldTheOriginalsAnswer(called)))
            .doOnRequest((request, connection) -> {
                if (request.path().equals("race")) {
                    loopsOfTheCopies.add(Thread.currentThread().getName());
                }
            });
        Harness harness = Harness.of(Harness.fastPolicy().hedgingEnabled(true).hedgingDelay(Duration.ofMillis(20)).maxAttempts(4));
        WebClient client = harness.client(this.server.url(), http);

        // two connections opened at once, one on each event loop
        Set<String> warmLoops = ConcurrentHashMap.newKeySet();
        Flux.range(0, 2).flatMap((i) -> client.get().uri("/slow").attributes(RetryRequests.noRetry())
            .retrieve().bodyToMono(String.class).doOnNext((body) -> warmLoops.add(Thread.currentThread().getName()))).blockLast(Duration.ofSeconds(5));
        assertThat(warmLoops).as("the two connections' event loops").hasSize(2);
        CompletableFuture<String> hedged = client.get().uri("/race").retrieve().bodyToMono(String.class)
            .doOnNext((body) -> called.countDown()).toFuture();
        assertThat(hedgeArrived.await(5, TimeUnit.SECONDS)).as("the hedge reached the server").isTrue();
        // both connections are taken: these two wait, sent once each
        CompletableFuture<String> slow = client.get().uri("/slow").attributes(RetryRequests.noRetry()).retrieve()
            .bodyToMono(String.class).onErrorResume((error) -> Mono.just(error.toString())).toFuture();
        CompletableFuture<String> waiting = client.get().uri("/fast").attributes(RetryRequests.noRetry()).retrieve()
            .bodyToMono(String.class).onErrorResume((error) -> Mono.just(error.toString())).toFuture();
        await().atMost(Duration.ofSeconds(5)).until(() -> this.watch.pendingAcquires() == 2);
        answer.tryEmitEmpty();

        assertThat(hedged.get(10, TimeUnit.SECONDS)).as("the hedge won").isEqualTo("hedge");
        assertThat(loopsOfTheCopies).as("the copies went out on two event loops").hasSize(2);
        assertThat(slow.get(5, TimeUnit.SECONDS)).isEqualTo("slow");
        assertThat(waiting.get(5, TimeUnit.SECONDS)).as("the request that waited for a connection").isEqualTo("fast");
        assertThat(harness.listener.attempts).as("the lost copy").anySatisfy((attempt) -> assertThat(attempt.error())
            .isInstanceOf(java.util.concurrent.CancellationException.class));
        this.watch.awaitAllReleased();
    }

    /**
     * Holds the bytes of the original copy's answer on its event loop until the call has been
     * answered (through the hedge), so that the cancel of the original comes while its answer is
     * being read.
     */
    @ChannelHandler.Sharable
    private static final class HoldTheOriginalsAnswer extends ChannelInboundHandlerAdapter {

        private final CountDownLatch called;

        private final Map<String, Boolean> held = new ConcurrentHashMap<>();

        HoldTheOriginalsAnswer(CountDownLatch called) {
            this.called = called;
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) throws Exception {
            if (message instanceof ByteBuf bytes && bytes.toString(StandardCharsets.US_ASCII).contains("X-Copy: original")
                    && this.held.putIfAbsent("original", true) == null) {
                this.called.await(5, TimeUnit.SECONDS);
            }
            super.channelRead(context, message);
        }
    }
}
