package dev.httpretry.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.web.reactive.function.client.WebClient;

import static dev.httpretry.autoconfigure.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every retried response must be released: with a pool of one connection, a single leaked
 * response would block every later call, and Netty's leak detector at paranoid reports any
 * buffer that was never released.
 */
class ConnectionLeakTests {

    private static final int CALLS = 300;

    private final TestServer server = new TestServer();

    private final ListAppender<ILoggingEvent> leaks = new ListAppender<>();

    private ResourceLeakDetector.Level previousLevel;

    private ConnectionProvider pool;

    private final AtomicReference<ConnectionPoolMetrics> poolMetrics = new AtomicReference<>();

    @BeforeEach
    void paranoid() {
        this.previousLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        this.leaks.start();
        ((Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector")).addAppender(this.leaks);
        this.pool = ConnectionProvider.builder("one-connection").maxConnections(1)
            .pendingAcquireTimeout(Duration.ofSeconds(5))
            .metrics(true, () -> (poolName, id, remoteAddress, metrics) -> this.poolMetrics.set(metrics))
            .build();
    }

    @AfterEach
    void restore() {
        ((Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector")).detachAppender(this.leaks);
        ResourceLeakDetector.setLevel(this.previousLevel);
        this.pool.disposeLater().block(Duration.ofSeconds(5));
        this.server.close();
    }

    @Test
    void hundredsOfRetriedCallsThroughOneConnectionLeakNothing() {
        String body = "x".repeat(8 * 1024);
        for (int i = 0; i < CALLS; i++) {
            this.server.then(status(503).body(body), status(429).header("Retry-After", "0").body(body),
                    status(200).body("ok " + i));
        }
        Harness harness = Harness.of(Harness.fastPolicy().initialDelay(Duration.ZERO).maxDelay(Duration.ZERO));
        WebClient client = harness.client(this.server.url(), HttpClient.create(this.pool));

        List<String> bodies = Flux.range(0, CALLS)
            .concatMap((i) -> client.get().retrieve().bodyToMono(String.class))
            .collectList()
            .block(Duration.ofMinutes(2));

        assertThat(bodies).hasSize(CALLS).allSatisfy((answer) -> assertThat(answer).startsWith("ok "));
        assertThat(this.server.requests()).isEqualTo(3 * CALLS);
        // The leak detector reports when a leaked buffer is collected and a later one is tracked.
        System.gc();
        client.get().retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
        assertThat(this.leaks.list).extracting(ILoggingEvent::getFormattedMessage)
            .noneMatch((message) -> message.contains("LEAK:"));
        // the connection goes back to the pool asynchronously, just after the call completes
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
            .until(() -> this.poolMetrics.get() != null && this.poolMetrics.get().acquiredSize() == 0);
    }

    @Test
    void callsRacingTheAttemptTimeoutOrTheCallerLeakNothing() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        int calls = 120;
        for (int i = 0; i < 4 * calls; i++) {
            // around the 40ms attempt timeout: some responses win, some arrive just after it
            this.server.then(TestServer.Reply.delayed(Duration.ofMillis(30 + random.nextInt(20)), status(200).body("ok")));
        }
        Harness harness = Harness.of(Harness.fastPolicy().attemptTimeout(Duration.ofMillis(40)).maxAttempts(2));
        WebClient client = harness.client(this.server.url(), HttpClient.create(this.pool));

        Flux.range(0, calls)
            .concatMap((i) -> {
                reactor.core.publisher.Mono<String> call = client.get().retrieve().bodyToMono(String.class)
                    .onErrorResume((error) -> reactor.core.publisher.Mono.just("failed"));
                // every fifth call is abandoned by its caller halfway through
                return (i % 5 == 0) ? call.take(Duration.ofMillis(35)).defaultIfEmpty("cancelled") : call;
            })
            .blockLast(Duration.ofMinutes(2));

        assertThat(harness.listener.calls).hasSize(calls);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
            .until(() -> this.poolMetrics.get() != null && this.poolMetrics.get().acquiredSize() == 0);
        // A response that arrives just as its exchange is cancelled is thrown away by the connector
        // as a discarded value (a plain WebClient with .timeout(40ms) leaks it here); the filter
        // releases what is discarded, so nothing leaks.
        System.gc();
        client.get().retrieve().bodyToMono(String.class).onErrorResume((error) -> reactor.core.publisher.Mono.empty())
            .block(Duration.ofSeconds(10));
        assertThat(this.leaks.list).extracting(ILoggingEvent::getFormattedMessage)
            .noneMatch((message) -> message.contains("LEAK:"));
    }
}
