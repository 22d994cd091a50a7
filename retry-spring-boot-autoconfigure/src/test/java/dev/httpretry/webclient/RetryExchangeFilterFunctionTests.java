package dev.httpretry.webclient;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import dev.httpretry.client.RetryRequests;
import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.AttemptTimeoutException;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.Category;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.StopReason;
import dev.httpretry.testing.FullAcceptQueue;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.TestServer;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static dev.httpretry.testing.Ports.closedPort;
import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What is retried and how often, against a real server on 127.0.0.1 through real Reactor Netty:
 * one test per row of the classification table, plus idempotency, timeouts and the untouched
 * final response.
 */
class RetryExchangeFilterFunctionTests {

    private final TestServer server = new TestServer();

    @AfterEach
    void stopServer() {
        this.server.close();
    }

    @ParameterizedTest(name = "{0} is sent {1} time(s)")
    @CsvSource({ "400, 1", "401, 1", "403, 1", "404, 1", "409, 1", "501, 1", "500, 2", "502, 4", "503, 4", "504, 4",
            "429, 4" })
    void statusesAreRetriedAsTheTableSays(int status, int expectedRequests) {
        this.server.otherwise(status(status).body("answer " + status));
        Harness harness = Harness.of(Harness.fastPolicy());

        assertThatThrownBy(() -> get(harness)).isInstanceOfSatisfying(WebClientResponseException.class,
                (ex) -> {
                    assertThat(ex.getStatusCode().value()).isEqualTo(status);
                    assertThat(ex.getResponseBodyAsString()).isEqualTo("answer " + status);
                });
        assertThat(this.server.requests()).isEqualTo(expectedRequests);
        CallEvent call = harness.listener.onlyCall();
        assertThat(call.attempts()).isEqualTo(expectedRequests);
        assertThat(call.reason()).isEqualTo(expectedRequests == 1 ? StopReason.NOT_RETRYABLE : StopReason.EXHAUSTED);
    }

    @Test
    void successAfterRetriesReachesTheCallerWithItsBody() {
        this.server.then(status(503).body("busy"), status(502).body("bad gateway")).otherwise(status(200).body("hello"));
        Harness harness = Harness.of(Harness.fastPolicy());

        assertThat(get(harness)).isEqualTo("hello");
        assertThat(this.server.requests()).isEqualTo(3);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.NONE);
        assertThat(harness.listener.attempts).extracting(AttemptEvent::retried).containsExactly(true, true, false);
    }

    @Test
    void rateLimitedWithoutRetryAfterIsRetriedWithBackoff() {
        this.server.then(status(429)).otherwise(status(200).body("ok"));
        Harness harness = Harness.of(Harness.fastPolicy());

        assertThat(get(harness)).isEqualTo("ok");
        assertThat(this.server.requests()).isEqualTo(2);
        assertThat(harness.listener.backoffs).singleElement()
            .satisfies((wait) -> assertThat(wait.delay()).isEqualTo(Duration.ofMillis(1)));
    }

    @Test
    void finalResponseReachesTheCallerUntouchedSoOnErrorResumeStillWorks() {
        this.server.otherwise(status(503).header("X-Reason", "maintenance").body("come back later"));
        Harness harness = Harness.of(Harness.fastPolicy());

        String result = harness.client(this.server.url()).get().retrieve().bodyToMono(String.class)
            .onErrorResume(WebClientResponseException.ServiceUnavailable.class,
                    (ex) -> Mono.just(ex.getHeaders().getFirst("X-Reason") + ": " + ex.getResponseBodyAsString()))
            .block(Duration.ofSeconds(10));

        assertThat(result).isEqualTo("maintenance: come back later");
        assertThat(this.server.requests()).isEqualTo(4);
    }

    @Test
    void refusedConnectionIsRetriedAndTheLastErrorCarriesTheEarlierOnes() throws IOException {
        int port = closedPort();
        Harness harness = Harness.of(Harness.fastPolicy());

        assertThatThrownBy(() -> harness.client("http://127.0.0.1:" + port).get().retrieve().bodyToMono(String.class)
            .block(Duration.ofSeconds(10)))
            .isInstanceOfSatisfying(WebClientRequestException.class, (ex) -> {
                assertThat(ex).hasRootCauseInstanceOf(java.net.ConnectException.class);
                // Reactor adds its own traces as suppressed too; the three earlier attempts are there
                assertThat(ex.getSuppressed()).filteredOn(WebClientRequestException.class::isInstance).hasSize(3)
                    .allSatisfy((earlier) -> assertThat(earlier).isNotSameAs(ex).hasRootCauseInstanceOf(java.net.ConnectException.class));
            });
        assertThat(harness.attempts()).isEqualTo(4);
        assertThat(harness.listener.attempts).extracting((event) -> event.decision().category())
            .containsOnly(Category.CONNECTION_REFUSED);
    }

    @Test
    void refusedConnectionWaitsAtLeastItsMinimumDelay() throws IOException {
        int port = closedPort();
        Harness harness = Harness.of(Harness.fastPolicy().maxAttempts(2).connectionRefusedMinDelay(Duration.ofMillis(50)));

        assertThatThrownBy(() -> harness.client("http://127.0.0.1:" + port).get().retrieve().toBodilessEntity()
            .block(Duration.ofSeconds(10))).isInstanceOf(WebClientRequestException.class);
        assertThat(harness.listener.backoffs).singleElement()
            .satisfies((wait) -> assertThat(wait.delay()).isEqualTo(Duration.ofMillis(50)));
    }

    @Test
    void unknownHostIsRetried() {
        Harness harness = Harness.of(Harness.fastPolicy())
            .httpClient((client) -> client.resolver(new Harness.UnknownHostResolverGroup()));

        assertThatThrownBy(() -> harness.client("http://service.invalid:8080").get().retrieve().toBodilessEntity()
            .block(Duration.ofSeconds(10)))
            .isInstanceOf(WebClientRequestException.class)
            .hasRootCauseInstanceOf(java.net.UnknownHostException.class);
        assertThat(harness.attempts()).isEqualTo(4);
        assertThat(harness.listener.attempts).extracting((event) -> event.decision().category())
            .containsOnly(Category.DNS_FAILURE);
    }

    @Test
    void connectTimeoutIsRetriedEvenForPost() throws IOException {
        // A listening socket whose accept queue is full drops new connection attempts, so the
        // connect times out.
        try (FullAcceptQueue full = new FullAcceptQueue()) {
            Harness harness = Harness.of(Harness.fastPolicy())
                .httpClient((client) -> client.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 100));

            assertThatThrownBy(() -> harness.client(full.url()).post()
                .bodyValue("order").retrieve().toBodilessEntity().block(Duration.ofSeconds(20)))
                .isInstanceOf(WebClientRequestException.class)
                .hasRootCauseInstanceOf(io.netty.channel.ConnectTimeoutException.class);
            assertThat(harness.attempts()).isEqualTo(4);
            assertThat(harness.listener.attempts).extracting((event) -> event.decision().category())
                .containsOnly(Category.CONNECT_TIMEOUT);
        }
    }

    @Test
    void exhaustedConnectionPoolIsNotRetried() {
        this.server.then(TestServer.Reply.hang()).otherwise(status(200));
        reactor.netty.resources.ConnectionProvider pool = reactor.netty.resources.ConnectionProvider.builder("one")
            .maxConnections(1).pendingAcquireTimeout(Duration.ofMillis(100)).build();
        try {
            Harness harness = Harness.of(Harness.fastPolicy());
            WebClient client = harness.client(this.server.url(), HttpClient.create(pool));
            Disposable holder = client.get().retrieve().toBodilessEntity().subscribe();
            await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 1);

            // the only connection is taken: the client itself is saturated, and retrying would pile on
            assertThatThrownBy(() -> client.get().retrieve().toBodilessEntity().block(Duration.ofSeconds(10)))
                .isInstanceOf(WebClientRequestException.class);
            holder.dispose();
            AttemptEvent saturated = harness.listener.attempts.get(0);
            assertThat(saturated.decision().category()).isEqualTo(Category.LOCAL_SATURATION);
            assertThat(harness.listener.calls).filteredOn((call) -> call.reason() == StopReason.NOT_RETRYABLE)
                .singleElement().satisfies((call) -> assertThat(call.attempts()).isEqualTo(1));
        }
        finally {
            pool.disposeLater().block(Duration.ofSeconds(5));
        }
    }

    @Test
    void droppedConnectionIsRetried() {
        this.server.then(TestServer.Reply.drop()).otherwise(status(200).body("ok"));
        Harness harness = Harness.of(Harness.fastPolicy());

        assertThat(get(harness)).isEqualTo("ok");
        assertThat(harness.listener.attempts.get(0).decision().category()).isEqualTo(Category.CONNECTION_RESET);
        assertThat(this.server.requests()).isEqualTo(2);
    }

    @Test
    void postIsNotRetriedOnceItMayHaveReachedTheServer() {
        this.server.otherwise(status(503));
        Harness harness = Harness.of(Harness.fastPolicy());

        assertThatThrownBy(() -> harness.client(this.server.url()).post().bodyValue("order").retrieve()
            .toBodilessEntity().block(Duration.ofSeconds(10)))
            .isInstanceOf(WebClientResponseException.ServiceUnavailable.class);
        assertThat(this.server.requests()).isEqualTo(1);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.UNSAFE_METHOD);
    }

    @Test
    void postWithIdempotencyKeyIsRetried() {
        this.server.then(status(503), status(503)).otherwise(status(201).body("created"));
        Harness harness = Harness.of(Harness.fastPolicy());

        String body = harness.client(this.server.url()).post().header("Idempotency-Key", "order-42").bodyValue("order")
            .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));

        assertThat(body).isEqualTo("created");
        assertThat(this.server.received()).hasSize(3)
            .allSatisfy((request) -> assertThat(request.headers()).containsEntry("Idempotency-Key", "order-42"));
    }

    @Test
    void postToARefusedPortIsRetriedSinceItNeverLeft() throws IOException {
        int port = closedPort();
        Harness harness = Harness.of(Harness.fastPolicy());

        assertThatThrownBy(() -> harness.client("http://127.0.0.1:" + port).post().bodyValue("order").retrieve()
            .toBodilessEntity().block(Duration.ofSeconds(10))).isInstanceOf(WebClientRequestException.class);
        assertThat(harness.attempts()).isEqualTo(4);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.EXHAUSTED);
    }

    @Test
    void postDroppedMidwayIsNotRetried() {
        this.server.then(TestServer.Reply.drop()).otherwise(status(200));
        Harness harness = Harness.of(Harness.fastPolicy());

        assertThatThrownBy(() -> harness.client(this.server.url()).post().bodyValue("order").retrieve()
            .toBodilessEntity().block(Duration.ofSeconds(10))).isInstanceOf(WebClientRequestException.class);
        assertThat(this.server.requests()).isEqualTo(1);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.UNSAFE_METHOD);
    }

    @Test
    void slowAttemptIsCutByTheAttemptTimeoutAndRetried() {
        this.server.then(TestServer.Reply.hang()).otherwise(status(200).body("fast now"));
        Harness harness = Harness.of(Harness.fastPolicy().attemptTimeout(Duration.ofMillis(300)));

        assertThat(get(harness)).isEqualTo("fast now");
        assertThat(this.server.requests()).isEqualTo(2);
        AttemptEvent first = harness.listener.attempts.get(0);
        assertThat(first.error()).isInstanceOf(AttemptTimeoutException.class)
            .hasMessage("No response within attempt-timeout of 300ms (attempt 1)");
        assertThat(first.decision().category()).isEqualTo(Category.RESPONSE_TIMEOUT);
    }

    @Test
    void requestMayTurnRetryingOff() {
        this.server.otherwise(status(503));
        Harness harness = Harness.of(Harness.fastPolicy());

        assertThatThrownBy(() -> harness.client(this.server.url()).get().attributes(RetryRequests.noRetry()).retrieve()
            .toBodilessEntity().block(Duration.ofSeconds(10))).isInstanceOf(WebClientResponseException.class);
        assertThat(this.server.requests()).isEqualTo(1);
        assertThat(harness.listener.calls).isEmpty();
    }

    @Test
    void requestMayChooseANamedClient() {
        this.server.otherwise(status(503));
        RetryClients clients = RetryClients.of(java.util.Map.of(
                RetryClients.DEFAULT_CLIENT, Harness.fastPolicy().build(),
                "payments", Harness.fastPolicy().maxAttempts(2).build()), java.time.Clock.systemUTC());
        Harness harness = Harness.of(clients);

        assertThatThrownBy(() -> harness.client(this.server.url()).get().attributes(RetryRequests.client("payments"))
            .retrieve().toBodilessEntity().block(Duration.ofSeconds(10))).isInstanceOf(WebClientResponseException.class);
        assertThat(this.server.requests()).isEqualTo(2);
        assertThat(harness.listener.onlyCall().client()).isEqualTo("payments");
    }

    @Test
    void unknownClientNameFailsTheCallWithoutSendingIt() {
        Harness harness = Harness.of(Harness.fastPolicy());

        assertThatThrownBy(() -> harness.client(this.server.url()).get().attributes(RetryRequests.client("nope"))
            .retrieve().toBodilessEntity().block(Duration.ofSeconds(10)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("No retry client named 'nope'");
        assertThat(this.server.requests()).isZero();
    }

    @Test
    void budgetStopsRetriesOnceSpent() {
        this.server.otherwise(status(503));
        Harness harness = Harness.of(Harness.fastPolicy().budgetEnabled(true).budgetRatio(0).budgetMinRetriesPerSecond(0));

        assertThatThrownBy(() -> get(harness)).isInstanceOf(WebClientResponseException.ServiceUnavailable.class);
        assertThat(this.server.requests()).isEqualTo(1);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.BUDGET);
    }

    @Test
    void cancellingAfterTheResponseArrivedIsNotCountedAsCancelled() {
        this.server.otherwise(status(200).body("ok"));
        Harness harness = Harness.of(Harness.fastPolicy());
        AtomicReference<String> body = new AtomicReference<>();

        Disposable subscription = harness.client(this.server.url()).get().retrieve().bodyToMono(String.class)
            .subscribe(body::set);
        await().atMost(Duration.ofSeconds(10)).until(() -> body.get() != null);
        subscription.dispose();

        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.NONE);
    }

    private String get(Harness harness) {
        return harness.client(this.server.url()).get().uri("/resource").retrieve().bodyToMono(String.class)
            .block(Duration.ofSeconds(20));
    }
}
