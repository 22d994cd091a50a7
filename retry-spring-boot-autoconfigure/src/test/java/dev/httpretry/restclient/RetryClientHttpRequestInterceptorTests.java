package dev.httpretry.restclient;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.httpretry.client.RetryRequests;
import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.Category;
import dev.httpretry.core.DelaySource;
import dev.httpretry.core.ExceptionClassifier;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryDeadlineExceededException;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.core.RetryPolicyBuilder;
import dev.httpretry.core.StopReason;
import dev.httpretry.micrometer.RetryMetrics;
import dev.httpretry.testing.FullAcceptQueue;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.RecordingListener;
import dev.httpretry.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.HttpStatusCodeException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import static dev.httpretry.testing.Ports.closedPort;
import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The RestClient interceptor against a real server on 127.0.0.1, on the two request factories Boot
 * picks with this starter (Reactor Netty's, and the JDK HttpClient's): the same guarantees as the
 * WebClient filter.
 */
class RetryClientHttpRequestInterceptorTests {

    private final TestServer server = new TestServer();

    private final RecordingListener listener = new RecordingListener();

    private final List<RetryClientHttpRequestInterceptor> interceptors = new ArrayList<>();

    @AfterEach
    void stop() {
        this.interceptors.forEach((interceptor) -> interceptor.getWaits().stop());
        this.server.close();
    }

    enum Factory {

        REACTOR, JDK;

        ClientHttpRequestFactory create() {
            return (this == REACTOR) ? new ReactorClientHttpRequestFactory() : new JdkClientHttpRequestFactory();
        }
    }

    private RetryClientHttpRequestInterceptor interceptor(RetryPolicyBuilder policy) {
        Map<String, RetryPolicy> policies = new LinkedHashMap<>();
        policies.put(RetryClients.DEFAULT_CLIENT, policy.build());
        policies.put("payments", policy.maxAttempts(2).build());
        RetryClientHttpRequestInterceptor interceptor = new RetryClientHttpRequestInterceptor(
                RetryClients.of(policies, Clock.systemUTC()), this.listener);
        this.interceptors.add(interceptor);
        return interceptor;
    }

    private RestClient client(Factory factory, RetryPolicyBuilder policy) {
        return client(factory.create(), this.server.url(), interceptor(policy));
    }

    private static RestClient client(ClientHttpRequestFactory factory, String baseUrl, RetryClientHttpRequestInterceptor interceptor) {
        return interceptor.applyTo(RestClient.builder().requestFactory(factory)).baseUrl(baseUrl).build();
    }

    @ParameterizedTest(name = "{0} is sent {1} time(s)")
    @CsvSource({ "400, 1", "404, 1", "409, 1", "501, 1", "500, 2", "502, 4", "503, 4", "504, 4", "429, 4" })
    void statusesAreRetriedAsTheTableSays(int status, int expectedRequests) {
        this.server.otherwise(status(status).body("answer " + status));
        RestClient client = client(Factory.REACTOR, Harness.fastPolicy());

        assertThatThrownBy(() -> client.get().retrieve().body(String.class))
            .isInstanceOfSatisfying(HttpStatusCodeException.class, (ex) -> {
                assertThat(ex.getStatusCode().value()).isEqualTo(status);
                assertThat(ex.getResponseBodyAsString()).isEqualTo("answer " + status);
            });
        assertThat(this.server.requests()).isEqualTo(expectedRequests);
        assertThat(this.listener.onlyCall().reason())
            .isEqualTo(expectedRequests == 1 ? StopReason.NOT_RETRYABLE : StopReason.EXHAUSTED);
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void successAfterRetriesReachesTheCallerWithItsBody(Factory factory) {
        this.server.then(status(503).body("busy"), status(502).body("bad gateway")).otherwise(status(200).body("hello"));

        assertThat(client(factory, Harness.fastPolicy()).get().retrieve().body(String.class)).isEqualTo("hello");
        assertThat(this.server.requests()).isEqualTo(3);
        assertThat(this.listener.onlyCall().reason()).isEqualTo(StopReason.NONE);
        assertThat(this.listener.attempts).extracting(AttemptEvent::retried).containsExactly(true, true, false);
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void theLastResponseReachesTheCallerAsWithoutTheStarter(Factory factory) {
        this.server.otherwise(status(503).header("X-Reason", "maintenance").body("come back later"));

        assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
            .isThrownBy(() -> client(factory, Harness.fastPolicy()).get().retrieve().body(String.class))
            .satisfies((ex) -> {
                assertThat(ex.getResponseHeaders().getFirst("X-Reason")).isEqualTo("maintenance");
                assertThat(ex.getResponseBodyAsString()).isEqualTo("come back later");
            });
        assertThat(this.server.requests()).isEqualTo(4);
    }

    @Test
    void clientErrorIsNeverRetried() {
        this.server.otherwise(status(404).body("no such order"));

        assertThatExceptionOfType(HttpClientErrorException.NotFound.class)
            .isThrownBy(() -> client(Factory.JDK, Harness.fastPolicy()).get().retrieve().body(String.class));
        assertThat(this.server.requests()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void refusedConnectionIsRetriedAndTheLastErrorCarriesTheEarlierOnes(Factory factory) throws IOException {
        int port = closedPort();
        RestClient client = client(factory.create(), "http://127.0.0.1:" + port, interceptor(Harness.fastPolicy()));

        assertThatThrownBy(() -> client.post().body("order").retrieve().toBodilessEntity())
            .isInstanceOfSatisfying(ResourceAccessException.class, (ex) -> {
                assertThat(ExceptionClassifier.causeChain(ex)).anySatisfy((link) -> assertThat(link).isInstanceOf(java.net.ConnectException.class));
                assertThat(ex.getCause().getSuppressed()).hasSize(3);
            });
        // a POST that provably never left is retried too
        assertThat(this.listener.onlyCall().attempts()).isEqualTo(4);
        assertThat(this.listener.attempts).extracting((event) -> event.decision().category())
            .containsOnly(Category.CONNECTION_REFUSED);
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void unknownHostIsRetried(Factory factory) {
        RestClient client = client(factory.create(), "http://nonexistent.invalid", interceptor(Harness.fastPolicy()));

        assertThatThrownBy(() -> client.get().retrieve().toBodilessEntity()).isInstanceOf(ResourceAccessException.class);
        assertThat(this.listener.onlyCall().attempts()).isEqualTo(4);
        assertThat(this.listener.attempts).extracting((event) -> event.decision().category())
            .containsOnly(Category.DNS_FAILURE)
            .hasSize(4);
    }

    @Test
    void connectTimeoutIsRetriedEvenForPost() throws IOException {
        // A listening socket on the loopback whose accept queue is full drops new connection attempts,
        // so the connect times out.
        try (FullAcceptQueue full = new FullAcceptQueue()) {
            ReactorClientHttpRequestFactory factory = new ReactorClientHttpRequestFactory(
                    reactor.netty.http.client.HttpClient.create().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 100));
            RestClient client = client(factory, full.url(), interceptor(Harness.fastPolicy()));

            assertThatThrownBy(() -> client.post().body("order").retrieve().toBodilessEntity())
                .isInstanceOf(ResourceAccessException.class)
                .hasRootCauseInstanceOf(io.netty.channel.ConnectTimeoutException.class);
            assertThat(this.listener.attempts).extracting((event) -> event.decision().category())
                .containsOnly(Category.CONNECT_TIMEOUT).hasSize(4);
        }
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void droppedConnectionIsRetried(Factory factory) {
        this.server.then(TestServer.Reply.drop()).otherwise(status(200).body("ok"));

        assertThat(client(factory, Harness.fastPolicy()).get().retrieve().body(String.class)).isEqualTo("ok");
        assertThat(this.server.requests()).isEqualTo(2);
    }

    @Test
    void readTimeoutOfTheFactoryIsRetried() {
        this.server.then(TestServer.Reply.hang()).otherwise(status(200).body("ok"));
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory();
        factory.setReadTimeout(Duration.ofMillis(200));

        RestClient client = client(factory, this.server.url(), interceptor(Harness.fastPolicy()));
        assertThat(client.get().retrieve().body(String.class)).isEqualTo("ok");
        assertThat(this.listener.attempts.get(0).decision().category()).isEqualTo(Category.RESPONSE_TIMEOUT);
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void slowAttemptIsCutByTheAttemptTimeoutAndRetried(Factory factory) {
        this.server.then(TestServer.Reply.hang()).otherwise(status(200).body("ok"));

        RestClient client = client(factory, Harness.fastPolicy().attemptTimeout(Duration.ofMillis(300)));
        assertThat(client.get().retrieve().body(String.class)).isEqualTo("ok");
        assertThat(this.server.requests()).isEqualTo(2);
        assertThat(this.listener.attempts.get(0).decision().category()).isEqualTo(Category.RESPONSE_TIMEOUT);
        assertThat(Thread.currentThread().isInterrupted()).as("the timer's interrupt is cleared").isFalse();
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void deadlineDuringAnAttemptFailsWithATimeoutNamingTheDeadlineAndAttempts(Factory factory) {
        this.server.otherwise(TestServer.Reply.hang());
        RestClient client = client(factory, Harness.fastPolicy().attemptTimeout(Duration.ofMillis(200))
            .deadline(Duration.ofMillis(700)));

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.get().retrieve().body(String.class))
            .isInstanceOfSatisfying(ResourceAccessException.class, (ex) -> {
                RetryDeadlineExceededException deadline = (RetryDeadlineExceededException) ExceptionClassifier.causeChain(ex)
                    .stream().filter(TimeoutException.class::isInstance).findFirst().orElseThrow();
                assertThat(deadline.getDeadline()).isEqualTo(Duration.ofMillis(700));
                assertThat(deadline.getAttempts()).isGreaterThanOrEqualTo(2);
                assertThat(deadline.getMessage()).contains("700").contains(String.valueOf(deadline.getAttempts()));
            });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(this.listener.onlyCall().reason()).isEqualTo(StopReason.DEADLINE);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void postIsNotRetriedOnceItMayHaveReachedTheServer() {
        this.server.otherwise(status(503));

        assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
            .isThrownBy(() -> client(Factory.REACTOR, Harness.fastPolicy()).post().body("order").retrieve().toBodilessEntity());
        assertThat(this.server.requests()).isEqualTo(1);
        assertThat(this.listener.onlyCall().reason()).isEqualTo(StopReason.UNSAFE_METHOD);
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void postWithIdempotencyKeySendsTheWholeBodyOnEveryAttempt(Factory factory) {
        List<String> bodies = new CopyOnWriteArrayList<>();
        AtomicReference<Integer> count = new AtomicReference<>(0);
        this.server.otherwise((request, response) -> request.receive().aggregate().asString().defaultIfEmpty("")
            .flatMap((text) -> {
                bodies.add(text);
                count.set(count.get() + 1);
                return response.status(count.get() < 3 ? 503 : 200).sendString(Mono.just("done")).then();
            }));
        String body = "x".repeat(100_000) + "end";

        String answer = client(factory, Harness.fastPolicy()).post().header("Idempotency-Key", "order-1").body(body)
            .retrieve().body(String.class);

        assertThat(answer).isEqualTo("done");
        assertThat(bodies).hasSize(3).allSatisfy((received) -> assertThat(received).isEqualTo(body));
    }

    /** How a RestClient request carries its body. */
    enum BodyKind {

        BYTES, STREAMING, INPUT_STREAM;

        void write(RestClient.RequestBodySpec request, byte[] bytes) {
            switch (this) {
                case BYTES -> request.body(bytes);
                case STREAMING -> request.body((org.springframework.http.StreamingHttpOutputMessage.Body) (out) -> {
                    for (int i = 0; i < bytes.length; i += 1000) {
                        out.write(bytes, i, Math.min(1000, bytes.length - i));
                    }
                });
                case INPUT_STREAM -> request.body(new org.springframework.core.io.InputStreamResource(
                        new java.io.ByteArrayInputStream(bytes)));
            }
        }
    }

    /**
     * {@code body-replay-limit} holds for RestClient as for WebClient: a PUT body of at most the limit is
     * sent again byte for byte; a larger one is sent once, and the call ends {@code body_not_replayable}
     * with the 503 as it was, whatever carries the body.
     */
    @ParameterizedTest(name = "{0} body of {1} bytes, limit 1000")
    @CsvSource({ "BYTES, 1000", "BYTES, 5000", "STREAMING, 1000", "STREAMING, 5000", "INPUT_STREAM, 1000", "INPUT_STREAM, 5000" })
    void aBodyLargerThanTheReplayLimitIsSentOnce(BodyKind kind, int size) {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        AtomicInteger count = new AtomicInteger();
        this.server.otherwise((request, response) -> request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
            .flatMap((received) -> {
                bodies.add(received);
                return response.status(count.incrementAndGet() == 1 ? 503 : 200).sendString(Mono.just("stored")).then();
            }));
        byte[] bytes = new byte[size];
        new java.util.SplittableRandom(size).nextBytes(bytes);
        RestClient client = client(Factory.REACTOR, Harness.fastPolicy().bodyReplayLimit(1000));
        RestClient.RequestBodySpec request = client.put().contentType(org.springframework.http.MediaType.APPLICATION_OCTET_STREAM);
        kind.write(request, bytes);

        if (size <= 1000) {
            assertThat(request.retrieve().body(String.class)).isEqualTo("stored");
            assertThat(bodies).hasSize(2).allSatisfy((received) -> assertThat(received).isEqualTo(bytes));
            assertThat(this.listener.onlyCall().reason()).isEqualTo(StopReason.NONE);
        }
        else {
            assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
                .isThrownBy(() -> request.retrieve().body(String.class));
            assertThat(bodies).singleElement().satisfies((received) -> assertThat(received).isEqualTo(bytes));
            assertThat(this.listener.onlyCall().reason()).isEqualTo(StopReason.BODY_NOT_REPLAYABLE);
        }
    }

    /** A body above the limit on a request that never left (connection refused) is still retried, and then sent whole. */
    @Test
    void aLargeBodyIsRetriedWhenTheRequestNeverLeft() throws Exception {
        int port = closedPort();
        RestClient client = client(Factory.REACTOR.create(), "http://127.0.0.1:" + port,
                interceptor(Harness.fastPolicy().bodyReplayLimit(10).maxAttempts(2)));

        assertThatThrownBy(() -> client.put().body("a body longer than ten bytes").retrieve().toBodilessEntity())
            .isInstanceOf(org.springframework.web.client.ResourceAccessException.class);
        assertThat(this.listener.attempts).hasSize(2);
        assertThat(this.listener.onlyCall().reason()).isEqualTo(StopReason.EXHAUSTED);
    }

    @Test
    void retryAfterIsHonoured() {
        this.server.then(status(503).header("Retry-After", "1")).otherwise(status(200).body("ok"));

        long start = System.nanoTime();
        assertThat(client(Factory.REACTOR, Harness.fastPolicy()).get().retrieve().body(String.class)).isEqualTo("ok");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(this.listener.backoffs).singleElement().satisfies((wait) -> {
            assertThat(wait.source()).isEqualTo(DelaySource.RETRY_AFTER);
            assertThat(wait.delay()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        });
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void attemptsAfterTheFirstCarryTheirNumberWhenAttemptHeaderIsSet(Factory factory) {
        this.server.then(status(503), status(503)).otherwise(status(200).body("ok"));

        assertThat(client(factory, Harness.fastPolicy().attemptHeader("X-Retry-Attempt")).get().header("X-Trace", "t1")
            .retrieve().body(String.class)).isEqualTo("ok");
        assertThat(this.server.received()).extracting((received) -> received.headers().get("X-Retry-Attempt"))
            .containsExactly(null, "2", "3");
        assertThat(this.server.received()).extracting((received) -> received.headers().get("X-Trace"))
            .containsOnly("t1");
    }

    @Test
    void rateLimitResetIsHonouredWithoutRetryAfter() {
        this.server.then(status(429).header("RateLimit-Reset", "1")).otherwise(status(200).body("ok"));

        assertThat(client(Factory.REACTOR, Harness.fastPolicy()).get().retrieve().body(String.class)).isEqualTo("ok");
        assertThat(this.listener.backoffs).singleElement().satisfies((wait) -> {
            assertThat(wait.source()).isEqualTo(DelaySource.RATE_LIMIT);
            assertThat(wait.delay()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        });
    }

    @Test
    void hundredsOfRetriedCallsThroughOneConnectionFinish() {
        int calls = 300;
        String body = "x".repeat(8 * 1024);
        for (int i = 0; i < calls; i++) {
            this.server.then(status(503).body(body), status(429).header("Retry-After", "0").body(body),
                    status(200).body("ok " + i));
        }
        ConnectionProvider pool = ConnectionProvider.builder("one-connection").maxConnections(1)
            .pendingAcquireTimeout(Duration.ofSeconds(5)).build();
        try {
            RestClient client = client(new ReactorClientHttpRequestFactory(reactor.netty.http.client.HttpClient.create(pool)),
                    this.server.url(), interceptor(Harness.fastPolicy().initialDelay(Duration.ZERO).maxDelay(Duration.ZERO)));
            for (int i = 0; i < calls; i++) {
                assertThat(client.get().retrieve().body(String.class)).isEqualTo("ok " + i);
            }
            assertThat(this.server.requests()).isEqualTo(3 * calls);
        }
        finally {
            pool.disposeLater().block(Duration.ofSeconds(5));
        }
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void aRetriedResponseWhoseBodyNeverEndsIsDroppedNotWaitedFor(Factory factory) {
        // a 503 that sends its headers and a first chunk, then stalls for ever
        this.server.then((request, response) -> request.receive().then(response.status(503)
            .sendString(reactor.core.publisher.Flux.just("busy").concatWith(reactor.core.publisher.Flux.never())).then()))
            .otherwise(status(200).body("ok"));

        long start = System.nanoTime();
        assertThat(client(factory, Harness.fastPolicy()).get().retrieve().body(String.class)).isEqualTo("ok");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(this.server.requests()).isEqualTo(2);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void aLongRetriedBodyIsDroppedAfterItsFirstBytes() {
        this.server.then(status(503).body("x".repeat(1024 * 1024))).otherwise(status(200).body("ok"));

        assertThat(client(Factory.REACTOR, Harness.fastPolicy()).get().retrieve().body(String.class)).isEqualTo("ok");
        assertThat(this.server.requests()).isEqualTo(2);
    }

    @Test
    void requestMayTurnRetryingOff() {
        this.server.otherwise(status(503));

        assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
            .isThrownBy(() -> client(Factory.REACTOR, Harness.fastPolicy()).get()
                .attributes(RetryRequests.noRetry()).retrieve().toBodilessEntity());
        assertThat(this.server.requests()).isEqualTo(1);
        assertThat(this.listener.calls).isEmpty();
    }

    @Test
    void requestMayChooseANamedClient() {
        this.server.otherwise(status(503));

        assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
            .isThrownBy(() -> client(Factory.REACTOR, Harness.fastPolicy()).get()
                .attributes(RetryRequests.client("payments")).retrieve().toBodilessEntity());
        assertThat(this.server.requests()).isEqualTo(2);
        assertThat(this.listener.onlyCall().client()).isEqualTo("payments");
    }

    @Test
    void unknownClientNameFailsTheCallWithoutSendingIt() {
        assertThatThrownBy(() -> client(Factory.REACTOR, Harness.fastPolicy()).get()
            .attributes(RetryRequests.client("nope")).retrieve().toBodilessEntity())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
        assertThat(this.server.requests()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void interruptDuringAWaitEndsTheCallAtOnceKeepingTheFlag(Factory factory) throws Exception {
        this.server.otherwise(status(503).header("Retry-After", "10"));
        RestClient client = client(factory, Harness.fastPolicy());

        Outcome outcome = runInThread(() -> client.get().retrieve().toBodilessEntity(), (thread) -> {
            awaitCondition(thread, () -> this.server.requests() == 1 && !this.listener.backoffs.isEmpty());
            thread.interrupt();
        });

        assertThat(outcome.error()).isInstanceOf(ResourceAccessException.class).hasCauseInstanceOf(InterruptedIOException.class);
        assertThat(outcome.interrupted()).isTrue();
        assertThat(outcome.took()).isLessThan(Duration.ofSeconds(5));
        assertThat(this.server.requests()).isEqualTo(1);
        assertThat(this.listener.onlyCall().reason()).isEqualTo(StopReason.CANCELLED);
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void interruptDuringAnAttemptEndsTheCallAtOnceKeepingTheFlag(Factory factory) throws Exception {
        this.server.otherwise(TestServer.Reply.hang());
        RestClient client = client(factory, Harness.fastPolicy());

        Outcome outcome = runInThread(() -> client.get().retrieve().toBodilessEntity(), (thread) -> {
            awaitCondition(thread, () -> this.server.requests() == 1);
            thread.interrupt();
        });

        assertThat(outcome.error()).isNotNull();
        assertThat(outcome.interrupted()).isTrue();
        assertThat(outcome.took()).isLessThan(Duration.ofSeconds(4));
        assertThat(this.server.requests()).isEqualTo(1);
        assertThat(this.listener.onlyCall().reason()).isEqualTo(StopReason.CANCELLED);
    }

    @Test
    void shutdownEndsAWaitAtOnce() throws Exception {
        this.server.otherwise(status(503).header("Retry-After", "10"));
        RetryClientHttpRequestInterceptor interceptor = interceptor(Harness.fastPolicy());
        RestClient client = client(Factory.REACTOR.create(), this.server.url(), interceptor);

        Outcome outcome = runInThread(() -> client.get().retrieve().toBodilessEntity(), (thread) -> {
            awaitCondition(thread, () -> !this.listener.backoffs.isEmpty());
            interceptor.getWaits().stop();
        });

        assertThat(outcome.error()).isInstanceOf(IllegalStateException.class).hasMessageContaining("shutting down");
        assertThat(outcome.took()).isLessThan(Duration.ofSeconds(5));
        assertThat(this.listener.onlyCall().reason()).isEqualTo(StopReason.SHUTDOWN);
    }

    @Test
    void aCallThatWouldRetryAfterShutdownEndsAtOnce() {
        this.server.then(status(503)).otherwise(status(200).body("ok"));
        RetryClientHttpRequestInterceptor interceptor = interceptor(Harness.fastPolicy());
        RestClient client = client(Factory.REACTOR.create(), this.server.url(), interceptor);
        interceptor.getWaits().stop();

        assertThatThrownBy(() -> client.get().retrieve().toBodilessEntity()).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("shutting down");
        assertThat(this.server.requests()).isEqualTo(1);
        assertThat(this.listener.onlyCall().reason()).isEqualTo(StopReason.SHUTDOWN);
        // a call that needs no retry still succeeds
        assertThat(client.get().retrieve().body(String.class)).isEqualTo("ok");
    }

    @Test
    void metersHaveTheWebClientNamesAndTags() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RetryClients clients = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, Harness.fastPolicy().build()), Clock.systemUTC());
        RetryClientHttpRequestInterceptor interceptor = new RetryClientHttpRequestInterceptor(clients, new RetryMetrics(registry, clients));
        this.interceptors.add(interceptor);
        this.server.then(status(503)).otherwise(status(200));

        client(Factory.REACTOR.create(), this.server.url(), interceptor).get().retrieve().toBodilessEntity();

        assertThat(registry.get(RetryMetrics.CALLS).tags("client", "default", "method", "GET", "outcome", "success",
                "retried", "true", "reason", "none").counter().count()).isEqualTo(1);
        assertThat(registry.get(RetryMetrics.ATTEMPTS).tags("client", "default", "attempt", "1", "status", "503",
                "error", "none", "retried", "true").counter().count()).isEqualTo(1);
        assertThat(registry.get(RetryMetrics.BACKOFF).tags("client", "default", "source", "backoff").timer().count()).isEqualTo(1);
        assertThat(registry.get(RetryMetrics.BUDGET_AVAILABLE).tags("client", "default").gauge()).isNotNull();
    }

    // ---------------------------------------------------------------- helpers

    record Outcome(Throwable error, boolean interrupted, Duration took) {
    }

    interface Call {

        void run() throws Exception;
    }

    interface Driver {

        void drive(Thread thread) throws Exception;
    }

    /** Runs a call on a thread of its own while {@code driver} acts on that thread; reports how the call ended. */
    private static Outcome runInThread(Call call, Driver driver) throws Exception {
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicReference<Long> ended = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread thread = new Thread(() -> {
            try {
                call.run();
            }
            catch (Throwable ex) {
                error.set(ex);
            }
            ended.set(System.nanoTime());
            interrupted.set(Thread.currentThread().isInterrupted());
            done.countDown();
        });
        thread.start();
        driver.drive(thread);
        long acted = System.nanoTime();
        assertThat(done.await(10, TimeUnit.SECONDS)).as("the call ended").isTrue();
        return new Outcome(error.get(), interrupted.get(), Duration.ofNanos(ended.get() - acted));
    }

    /** Awaits the condition, and the calling thread blocked (in a wait, or on its attempt), so it is there when acted on. */
    private static void awaitCondition(Thread thread, java.util.function.BooleanSupplier condition) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
            .until(() -> condition.getAsBoolean()
                    && (thread.getState() == Thread.State.WAITING || thread.getState() == Thread.State.TIMED_WAITING));
    }
}
