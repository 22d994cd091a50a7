package dev.httpretry.webclient;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.DelaySource;
import dev.httpretry.core.HedgeEvent;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryPolicyBuilder;
import dev.httpretry.core.StopReason;
import dev.httpretry.micrometer.RetryMetrics;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.LeakWatch;
import dev.httpretry.testing.RecordingScheduler;
import dev.httpretry.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static dev.httpretry.testing.TestServer.Reply.held;
import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hedging against a real server, through a pool of two connections, with Netty's leak detector at
 * paranoid: a copy that has not answered within {@code hedging.delay} gets another, the first
 * response that is not retried wins, and every other copy is cancelled and released. The hedge
 * timers run on virtual time, and the server holds each answer until the test releases it, so
 * every interleaving below is forced, not hoped for.
 */
class HedgingTests {

    private static final Duration DELAY = Duration.ofMillis(100);

    private final TestServer server = new TestServer();

    private final RecordingScheduler scheduler = new RecordingScheduler();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final AtomicReference<Object> result = new AtomicReference<>();

    private LeakWatch watch;

    /** Held answers: each completes when the test releases it. */
    private final Sinks.Empty<Void> first = Sinks.empty();

    private final Sinks.Empty<Void> second = Sinks.empty();

    @BeforeEach
    void paranoid() {
        this.watch = new LeakWatch("two-connections", 2);
    }

    @AfterEach
    void restore() {
        this.watch.close();
        this.server.close();
        this.scheduler.dispose();
    }

    @Test
    void aSlowCopyLosesToItsHedgeAndIsCancelled() {
        this.server.then(held(this.first.asMono(), status(200).body("first")), status(200).body("second"));
        Harness harness = harness(hedged());
        start(harness, HttpMethod.GET, false);

        await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 1);
        this.scheduler.advance(DELAY.minusNanos(1));
        assertThat(harness.sent).as("no hedge before the delay").hasSize(1);
        this.scheduler.advance(Duration.ofNanos(1));
        assertThat(harness.sent).as("the hedge goes out at the delay").hasSize(2);
        assertThat(harness.sent.get(1) - harness.sent.get(0)).isEqualTo(DELAY.toNanos());

        awaitResult();
        assertThat(this.result.get()).isEqualTo("second");
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.NONE);
        assertThat(harness.listener.onlyCall().attempts()).isEqualTo(2);
        assertThat(harness.listener.hedges).extracting(HedgeEvent::attempt, HedgeEvent::outcome)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(2, HedgeEvent.Outcome.WON));
        AttemptEvent loser = attempt(harness, 1);
        assertThat(loser.error()).isInstanceOf(CancellationException.class).hasMessageContaining("Attempt 2 answered first");
        assertThat(((RetryDecision.Stop) loser.decision()).reason()).isEqualTo(StopReason.CANCELLED);
        assertThat(attempt(harness, 2).status()).hasValue(200);
        assertThat(hedges("won")).isEqualTo(1.0);
        assertThat(this.registry.get(RetryMetrics.ATTEMPTS).counters()).hasSize(2);
        // the loser's exchange was cancelled: its connection is closed, not left taken
        this.first.tryEmitEmpty();
        assertNothingLeaks(harness);
    }

    @Test
    void aCopyThatAnswersWithinTheDelayIsNeverHedged() {
        this.server.then(status(200).body("at once"));
        Harness harness = harness(hedged());
        start(harness, HttpMethod.GET, false);

        awaitResult();
        this.scheduler.advance(Duration.ofSeconds(5));
        assertThat(this.result.get()).isEqualTo("at once");
        assertThat(this.server.requests()).isEqualTo(1);
        assertThat(harness.listener.hedges).isEmpty();
        assertNothingLeaks(harness);
    }

    @ParameterizedTest(name = "Idempotency-Key: {0}")
    @ValueSource(booleans = { false, true })
    void aPostIsHedgedOnlyWithAnIdempotencyKey(boolean keyed) {
        this.server.then(held(this.first.asMono(), status(200).body("first")), status(200).body("second"));
        Harness harness = harness(hedged());
        start(harness, HttpMethod.POST, keyed);

        await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 1);
        this.scheduler.advance(DELAY.multipliedBy(3));
        if (keyed) {
            awaitResult();
            assertThat(this.result.get()).isEqualTo("second");
            assertThat(this.server.received().get(1).headers()).containsEntry("Idempotency-Key", "k-1");
        }
        else {
            assertThat(harness.sent).as("an unsafe request is never sent twice").hasSize(1);
            this.first.tryEmitEmpty();
            awaitResult();
            assertThat(this.result.get()).isEqualTo("first");
        }
        assertThat(this.server.requests()).isEqualTo(keyed ? 2 : 1);
        assertNothingLeaks(harness);
    }

    @Test
    void aHedgeTheBudgetRefusesIsNotSent() {
        this.server.then(held(this.first.asMono(), status(200).body("first")));
        Harness harness = harness(hedged().budgetEnabled(true).budgetRatio(0).budgetMinRetriesPerSecond(0));
        start(harness, HttpMethod.GET, false);

        await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 1);
        this.scheduler.advance(DELAY.multipliedBy(5));
        assertThat(harness.sent).hasSize(1);
        assertThat(harness.listener.hedges).extracting(HedgeEvent::outcome).containsExactly(HedgeEvent.Outcome.REFUSED);
        assertThat(hedges("refused")).isEqualTo(1.0);
        this.first.tryEmitEmpty();
        awaitResult();
        assertThat(this.result.get()).isEqualTo("first");
        assertThat(harness.listener.onlyCall().attempts()).isEqualTo(1);
        assertNothingLeaks(harness);
    }

    @Test
    void aRetriedFailureOfOneCopyLeavesTheOtherRunning() {
        this.server.then(held(this.first.asMono(), status(200).body("first")), status(503).body("busy"));
        Harness harness = harness(hedged());
        start(harness, HttpMethod.GET, false);

        await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 1);
        this.scheduler.advance(DELAY);
        await().atMost(Duration.ofSeconds(10)).until(() -> harness.listener.attempts.size() == 1);
        AttemptEvent failed = attempt(harness, 2);
        assertThat(failed.status()).hasValue(503);
        assertThat(failed.retried()).isTrue();
        assertThat(failed.decision()).isEqualTo(new RetryDecision.OthersGoOn(dev.httpretry.core.Category.UNAVAILABLE));
        assertThat(harness.listener.backoffs).as("no wait while a copy is in flight").isEmpty();
        assertThat(this.result.get()).isNull();

        this.first.tryEmitEmpty();
        awaitResult();
        assertThat(this.result.get()).isEqualTo("first");
        assertThat(harness.listener.hedges).extracting(HedgeEvent::outcome).containsExactly(HedgeEvent.Outcome.LOST);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.NONE);
        assertNothingLeaks(harness);
    }

    @Test
    void whenEveryCopyHasFailedRetryingGoesOnAsWithoutHedging() {
        this.server.then(held(this.first.asMono(), status(503).body("busy 1")), status(503).body("busy 2"),
                status(200).body("third"));
        Harness harness = harness(hedged());
        start(harness, HttpMethod.GET, false);

        await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 1);
        this.scheduler.advance(DELAY);
        await().atMost(Duration.ofSeconds(10)).until(() -> harness.listener.attempts.size() == 1);
        this.first.tryEmitEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> harness.listener.backoffs.size() == 1);
        assertThat(harness.listener.backoffs.get(0).source()).isEqualTo(DelaySource.BACKOFF);
        this.scheduler.advance(harness.listener.backoffs.get(0).delay());

        awaitResult();
        assertThat(this.result.get()).isEqualTo("third");
        assertThat(harness.listener.onlyCall().attempts()).isEqualTo(3);
        assertThat(harness.listener.hedges).extracting(HedgeEvent::outcome).containsExactly(HedgeEvent.Outcome.LOST);
        assertNothingLeaks(harness);
    }

    /**
     * The hedge is told to come back after longer than {@code max-wait} (3600 s), or than the deadline
     * leaves (30 s of 5 s); the first copy then answers a plain 503. No third request goes out: the
     * server's pushback holds for the whole call, which ends with the hedge's reason.
     */
    @ParameterizedTest(name = "Retry-After {0} with a deadline of {1}s -> {2}")
    @org.junit.jupiter.params.provider.CsvSource({ "3600, 120, RETRY_AFTER_TOO_LONG", "30, 5, DEADLINE" })
    void aCopyPushedBackBeyondWhatIsAllowedSendsNoFurtherCopy(String retryAfter, long deadlineSeconds, StopReason reason) {
        this.server.then(held(this.first.asMono(), status(503).body("busy 1")),
                status(503).header("Retry-After", retryAfter).body("come back later"), status(200).body("too early"));
        Harness harness = harness(hedged().deadline(Duration.ofSeconds(deadlineSeconds)));
        start(harness, HttpMethod.GET, false);

        await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 1);
        this.scheduler.advance(DELAY);
        await().atMost(Duration.ofSeconds(10)).until(() -> harness.listener.attempts.size() == 1);
        this.first.tryEmitEmpty();
        awaitResult();
        this.scheduler.advance(Duration.ofSeconds(deadlineSeconds));

        assertThat(this.result.get()).isInstanceOfSatisfying(WebClientResponseException.ServiceUnavailable.class,
                (ex) -> assertThat(ex.getResponseBodyAsString()).isEqualTo("busy 1"));
        assertThat(this.server.requests()).as("no request after the server asked for a pause").isEqualTo(2);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(reason);
        assertThat(harness.listener.backoffs).isEmpty();
        assertNothingLeaks(harness);
    }

    @Test
    void aBodyStillBeingSentIsNotHedged() {
        List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        this.server.otherwise((request, response) -> request.receive().aggregate().asString().doOnNext(bodies::add)
            .then(response.sendString(Mono.just("stored")).then()));
        Sinks.Many<DataBuffer> upload = Sinks.many().unicast().onBackpressureBuffer();
        upload.tryEmitNext(buffer("part 1, "));
        Harness harness = harness(hedged());
        harness.client(this.server.url(), HttpClient.create(this.watch.pool)).put().body(BodyInserters.fromDataBuffers(upload.asFlux()))
            .retrieve().bodyToMono(String.class).subscribe(this.result::set, this.result::set);

        await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 1);
        this.scheduler.advance(DELAY.multipliedBy(3));
        assertThat(harness.sent).as("no copy while the first is still sending its body").hasSize(1);
        upload.tryEmitNext(buffer("part 2"));
        upload.tryEmitComplete();

        awaitResult();
        assertThat(this.result.get()).isEqualTo("stored");
        assertThat(bodies).containsExactly("part 1, part 2");
        assertThat(harness.listener.hedges).isEmpty();
        assertNothingLeaks(harness);
    }

    @Test
    void aBodySentWholeIsHedgedWithTheSameBytes() {
        String payload = "x".repeat(10_000) + " end";
        List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        this.server.then((request, response) -> request.receive().aggregate().asString().doOnNext(bodies::add).then(Mono.never()),
                (request, response) -> request.receive().aggregate().asString().doOnNext(bodies::add)
                    .then(response.sendString(Mono.just("second")).then()));
        // a body that can be read once, as an upload is
        java.io.InputStream once = new java.io.ByteArrayInputStream(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Harness harness = harness(hedged());
        harness.client(this.server.url(), HttpClient.create(this.watch.pool)).put()
            .body(BodyInserters.fromDataBuffers(DataBufferUtils.readInputStream(() -> once, DefaultDataBufferFactory.sharedInstance, 4096)))
            .retrieve().bodyToMono(String.class).subscribe(this.result::set, this.result::set);

        await().atMost(Duration.ofSeconds(10)).until(() -> bodies.size() == 1);
        this.scheduler.advance(DELAY);
        awaitResult();
        assertThat(this.result.get()).isEqualTo("second");
        assertThat(bodies).containsExactly(payload, payload);
        assertThat(harness.listener.hedges).extracting(HedgeEvent::outcome).containsExactly(HedgeEvent.Outcome.WON);
        assertNothingLeaks(harness);
    }

    private static DataBuffer buffer(String text) {
        return DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void theDeadlineCancelsEveryCopy() {
        this.server.then(held(this.first.asMono(), status(200)), held(this.second.asMono(), status(200)));
        Harness harness = harness(hedged().deadline(Duration.ofMillis(500)));
        start(harness, HttpMethod.GET, false);

        await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 1);
        this.scheduler.advance(DELAY);
        await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 2);
        this.scheduler.advance(Duration.ofMillis(400));

        awaitResult();
        assertThat(this.result.get()).isInstanceOf(TimeoutException.class);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.DEADLINE);
        assertThat(harness.listener.attempts).hasSize(2)
            .allSatisfy((event) -> assertThat(((RetryDecision.Stop) event.decision()).reason()).isEqualTo(StopReason.DEADLINE));
        assertThat(harness.listener.hedges).extracting(HedgeEvent::outcome).containsExactly(HedgeEvent.Outcome.LOST);
        assertNothingLeaks(harness);
    }

    @Test
    void theCallersCancelCancelsEveryCopy() {
        this.server.then(held(this.first.asMono(), status(200)), held(this.second.asMono(), status(200)));
        Harness harness = harness(hedged());
        Disposable call = start(harness, HttpMethod.GET, false);

        await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 1);
        this.scheduler.advance(DELAY);
        await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 2);
        call.dispose();

        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.CANCELLED);
        assertThat(harness.listener.attempts).hasSize(2).allSatisfy((event) -> {
            assertThat(event.error()).isInstanceOf(CancellationException.class);
            assertThat(((RetryDecision.Stop) event.decision()).reason()).isEqualTo(StopReason.CANCELLED);
        });
        this.scheduler.advance(Duration.ofSeconds(5));
        assertThat(harness.sent).as("nothing is sent after the cancel").hasSize(2);
        assertNothingLeaks(harness);
    }

    @Test
    void copiesAnsweringTogetherOrRacingTheLosersCancelLeakNothing() {
        // real time: each copy answers after 0 to 8 ms, the hedge goes out after 4 ms, so the two
        // responses often arrive together, and a loser's response often races its cancel
        SplittableRandom random = new SplittableRandom(11);
        this.server.otherwise((request, response) -> Mono.delay(Duration.ofNanos(1_000L * random.nextInt(8_000)))
            .then(status(200).body("ok").respond(request, response)));
        Harness harness = Harness.of(Harness.fastPolicy().hedgingEnabled(true).hedgingDelay(Duration.ofMillis(4)));
        WebClient client = harness.client(this.server.url(), HttpClient.create(this.watch.pool));
        int calls = 300;

        List<String> bodies = Flux.range(0, calls)
            .concatMap((i) -> client.get().retrieve().bodyToMono(String.class))
            .collectList()
            .block(Duration.ofMinutes(2));

        assertThat(bodies).hasSize(calls).containsOnly("ok");
        assertThat(harness.listener.calls).hasSize(calls).allSatisfy((call) -> assertThat(call.reason()).isEqualTo(StopReason.NONE));
        long hedgesSent = harness.listener.hedges.size();
        assertThat(hedgesSent).as("some calls were hedged").isPositive();
        // each copy is an attempt: every call's first, each hedge, and each retry (a copy whose connect was cut short
        // by an earlier loser's cancel may fail with a broken pooled connection, and is retried)
        assertThat(harness.listener.attempts).as("each copy is an attempt")
            .hasSize((int) (calls + hedgesSent + harness.listener.backoffs.size()));
        assertThat(harness.listener.attempts.stream().filter((event) -> event.status().isPresent()).count())
            .as("exactly one copy of each call answered for it").isEqualTo(calls);
        assertNothingLeaks(harness);
    }

    private RetryPolicyBuilder hedged() {
        return Harness.fastPolicy().hedgingEnabled(true).hedgingDelay(DELAY).attemptTimeout(Duration.ofMinutes(1))
            .deadline(Duration.ofMinutes(2));
    }

    private Harness harness(RetryPolicyBuilder policy) {
        RetryClients clients = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, policy.build()), Clock.systemUTC());
        return Harness.of(clients).scheduler(this.scheduler).listener(new RetryMetrics(this.registry, clients));
    }

    private Disposable start(Harness harness, HttpMethod method, boolean keyed) {
        WebClient client = harness.client(this.server.url(), HttpClient.create(this.watch.pool));
        return client.method(method).headers((headers) -> {
            if (keyed) {
                headers.set("Idempotency-Key", "k-1");
            }
        }).retrieve().bodyToMono(String.class).subscribe(this.result::set, this.result::set);
    }

    private void awaitResult() {
        await().atMost(Duration.ofSeconds(10)).until(() -> this.result.get() != null);
        if (this.result.get() instanceof WebClientResponseException ex) {
            // a response the test did not expect: show it
            assertThat(ex.getStatusCode().value()).as(ex.getMessage()).isBetween(400, 599);
        }
    }

    private static AttemptEvent attempt(Harness harness, int number) {
        return harness.listener.attempts.stream().filter((event) -> event.attempt() == number).findFirst()
            .orElseThrow(() -> new AssertionError("no attempt " + number + " in " + harness.listener.attempts));
    }

    private double hedges(String outcome) {
        return this.registry.get(RetryMetrics.HEDGES).tag("outcome", outcome).tag("client", "default").counter().count();
    }

    private void assertNothingLeaks(Harness harness) {
        this.watch.awaitAllReleased();
        this.server.otherwise(status(200).body("calm"));
        WebClient calm = harness.client(this.server.url(), HttpClient.create(this.watch.pool));
        this.watch.assertNoLeaks(() -> assertThat(calm.get().retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10))).isNotNull());
    }
}
