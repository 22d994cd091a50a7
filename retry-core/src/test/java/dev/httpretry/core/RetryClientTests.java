package dev.httpretry.core;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The one way into core: a call started from a method, a URI and a header lookup, and an outcome from a status and headers. */
class RetryClientTests {

    private final AtomicLong now = new AtomicLong();

    private final RecordingListener events = new RecordingListener();

    private final RetryClient client = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, RetryPolicy.builder().jitter(Jitter.NONE)
        .initialDelay(Duration.ofMillis(100)).attemptHeader("X-Retry-Attempt").build()), Clock.systemUTC()).get("default");

    /** Only one non-blank value, not a list, is a key a server can de-duplicate with. */
    @ParameterizedTest(name = "Idempotency-Key {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            k-1        | true
            ''         | false
            '   '      | false
            a;b        | false
            'a, b'     | false
            """)
    void onlyOneNonBlankIdempotencyKeyMakesAPostSafe(String values, boolean safe) {
        List<String> headerValues = List.of(values.split(";", -1));
        HeaderLookup headers = (name) -> name.equalsIgnoreCase("idempotency-key") ? headerValues : null;

        assertThat(RetryClient.hasIdempotencyKey(headers)).isEqualTo(safe);
        RetryExecution call = this.client.start("POST", URI.create("http://a.example/orders"), headers, this.events, this.now::get);
        call.startAttempt();
        RetryDecision decision = call.onOutcome(Outcome.response(503));
        assertThat(decision).isInstanceOf(safe ? RetryDecision.Retry.class : RetryDecision.Stop.class);
    }

    @Test
    void noKeyIsLookedUpForAMethodInMethods() {
        HeaderLookup headers = (name) -> {
            throw new AssertionError("looked up " + name);
        };
        RetryExecution call = this.client.start("GET", URI.create("http://a.example/"), headers, this.events, this.now::get);
        call.startAttempt();
        assertThat(call.onOutcome(Outcome.response(503))).isInstanceOf(RetryDecision.Retry.class);
    }

    @Test
    void eachDestinationDrawsOnItsOwnBudget() {
        this.client.start("GET", URI.create("http://a.example/x"), HeaderLookup.NONE, this.events, this.now::get);
        this.client.start("GET", URI.create("http://b.example:8080/y"), HeaderLookup.NONE, this.events, this.now::get);
        this.client.start("GET", URI.create("http://a.example/z"), HeaderLookup.NONE, this.events, this.now::get);
        assertThat(this.client.budgets().size()).isEqualTo(2);
    }

    @Test
    void anOutcomeIsReadFromTheResponseHeaders() {
        Map<String, List<String>> headers = Map.of("retry-after", List.of("7"), "ratelimit", List.of("a;r=0;t=3", "b;r=5;t=9"),
                "ratelimit-reset", List.of("4"), "x-ratelimit-reset", List.of("5"));
        Outcome outcome = Outcome.fromHeaders(429, (name) -> headers.get(name.toLowerCase(java.util.Locale.ROOT)));
        assertThat(outcome).isEqualTo(Outcome.response(429, "7", "a;r=0;t=3, b;r=5;t=9", "4", "5"));
        assertThat(Outcome.fromHeaders(503, HeaderLookup.NONE)).isEqualTo(Outcome.response(503));
    }

    @Test
    void aResponseBelow400SucceedsAndAboveIsDecidedOnItsHeaders() {
        RetryExecution call = this.client.start("GET", URI.create("http://a.example/"), HeaderLookup.NONE, this.events, this.now::get);
        call.startAttempt();
        assertThat(call.attemptHeader()).as("the first attempt carries none").isNull();
        RetryDecision retry = call.onResponse(1, 503, (name) -> name.equals("Retry-After") ? List.of("2") : null);
        assertThat(retry).isEqualTo(new RetryDecision.Retry(Category.UNAVAILABLE, Duration.ofSeconds(2), DelaySource.RETRY_AFTER));
        call.startAttempt();
        assertThat(call.attemptHeader()).isEqualTo("X-Retry-Attempt");
        assertThat(call.onResponse(2, 204, HeaderLookup.NONE)).isEqualTo(new RetryDecision.Stop(Category.SUCCESS, StopReason.NONE));
        assertThat(this.events.calls).singleElement().satisfies((end) -> assertThat(end.attempts()).isEqualTo(2));
    }

    @Test
    void aRetriedResponseIsReleasedWithinASecondAndNeverPastTheDeadline() {
        RetryExecution call = this.client.start("GET", URI.create("http://a.example/"), HeaderLookup.NONE, this.events, this.now::get);
        assertThat(call.releaseNanos()).isEqualTo(Duration.ofSeconds(1).toNanos());
        this.now.set(Duration.ofMillis(14_800).toNanos());
        assertThat(call.releaseNanos()).isEqualTo(Duration.ofMillis(200).toNanos());
        this.now.set(Duration.ofSeconds(20).toNanos());
        assertThat(call.releaseNanos()).isEqualTo(1);
        assertThat(RetryExecution.RELEASE_MAX_BYTES).isEqualTo(64 * 1024);
    }

    /** A call's own options: its limit of attempts (a policy made once per limit), and idempotent whatever its method. */
    @Test
    void aCallsOptionsChangeItsLimitAndWhetherItIsIdempotent() {
        RetryExecution twice = this.client.start("GET", URI.create("http://a.example/"), HeaderLookup.NONE, new CallOptions(2, false),
                this.events, this.now::get);
        twice.startAttempt();
        assertThat(twice.onOutcome(Outcome.response(503))).isInstanceOf(RetryDecision.Retry.class);
        twice.startAttempt();
        assertThat(twice.onOutcome(Outcome.response(503))).isEqualTo(new RetryDecision.Stop(Category.UNAVAILABLE, StopReason.EXHAUSTED));
        assertThat(this.client.policy().withMaxAttempts(2)).isSameAs(this.client.policy().withMaxAttempts(2));
        assertThat(this.client.policy().withMaxAttempts(4)).isSameAs(this.client.policy());

        RetryExecution post = this.client.start("POST", URI.create("http://a.example/"), HeaderLookup.NONE, new CallOptions(0, true),
                this.events, this.now::get);
        post.startAttempt();
        assertThat(post.onOutcome(Outcome.failure(new java.net.SocketTimeoutException()))).isInstanceOf(RetryDecision.Retry.class);
        assertThat(new CallOptions(3, false).with(new CallOptions(0, true))).isEqualTo(new CallOptions(3, true));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CallOptions(101, false)).isInstanceOf(InvalidSettingException.class)
            .hasMessageContaining("max-attempts");
    }
}
