package dev.httpretry.webclient;

import java.time.Duration;
import java.util.List;

import dev.httpretry.testing.Harness;
import dev.httpretry.testing.LeakWatch;
import dev.httpretry.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

import org.springframework.web.reactive.function.client.WebClient;

import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every retried response must be released: with a pool of one connection, a single leaked
 * response would block every later call, and Netty's leak detector at paranoid reports any
 * buffer that was never released.
 */
class ConnectionLeakTests {

    private static final int CALLS = 300;

    private final TestServer server = new TestServer();

    private LeakWatch watch;

    @BeforeEach
    void paranoid() {
        this.watch = new LeakWatch("one-connection", 1);
    }

    @AfterEach
    void restore() {
        this.watch.close();
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
        WebClient client = harness.client(this.server.url(), HttpClient.create(this.watch.pool));

        List<String> bodies = Flux.range(0, CALLS)
            .concatMap((i) -> client.get().retrieve().bodyToMono(String.class))
            .collectList()
            .block(Duration.ofMinutes(2));

        assertThat(bodies).hasSize(CALLS).allSatisfy((answer) -> assertThat(answer).startsWith("ok "));
        assertThat(this.server.requests()).isEqualTo(3 * CALLS);
        this.watch.assertNoLeaks(() -> client.get().retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10)));
        this.watch.awaitAllReleased();
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
        WebClient client = harness.client(this.server.url(), HttpClient.create(this.watch.pool));

        Flux.range(0, calls)
            .concatMap((i) -> {
                reactor.core.publisher.Mono<String> call = client.get().retrieve().bodyToMono(String.class)
                    .onErrorResume((error) -> reactor.core.publisher.Mono.just("failed"));
                // every fifth call is abandoned by its caller halfway through
                return (i % 5 == 0) ? call.take(Duration.ofMillis(35)).defaultIfEmpty("cancelled") : call;
            })
            .blockLast(Duration.ofMinutes(2));

        assertThat(harness.listener.calls).hasSize(calls);
        this.watch.awaitAllReleased();
        // A response that arrives just as its exchange is cancelled is thrown away by the connector
        // as a discarded value (a plain WebClient with .timeout(40ms) leaks it here); the filter
        // releases what is discarded, so nothing leaks.
        this.watch.assertNoLeaks(() -> client.get().retrieve().bodyToMono(String.class)
            .onErrorResume((error) -> reactor.core.publisher.Mono.empty()).block(Duration.ofSeconds(10)));
    }
}
