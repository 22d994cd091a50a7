package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetryListenerTests {

    private static final Outcome UNAVAILABLE = Outcome.response(503);

    private static final AttemptEvent ATTEMPT = new AttemptEvent("default", "GET", 1, UNAVAILABLE,
            new RetryDecision.Retry(Category.UNAVAILABLE, Duration.ofMillis(500), DelaySource.BACKOFF));

    private static final BackoffEvent BACKOFF = new BackoffEvent("default", "GET", 1, Duration.ofMillis(500), DelaySource.BACKOFF);

    private static final CallEvent CALL = new CallEvent("default", "GET", 2, StopReason.NONE, Outcome.response(200));

    private final List<String> calls = new ArrayList<>();

    /** Captures what the composite logs, and keeps it off the console. */
    private final List<LogRecord> logged = new ArrayList<>();

    private final Logger julLogger = Logger.getLogger(RetryListener.class.getName());

    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private boolean useParentHandlers;

    @BeforeEach
    void captureLog() {
        useParentHandlers = julLogger.getUseParentHandlers();
        julLogger.setUseParentHandlers(false);
        julLogger.addHandler(capture);
    }

    @AfterEach
    void restoreLog() {
        julLogger.removeHandler(capture);
        julLogger.setUseParentHandlers(useParentHandlers);
    }

    private RetryListener recording(String name) {
        return new RetryListener() {
            @Override
            public void onAttempt(AttemptEvent event) {
                calls.add(name + ".attempt:" + event.attempt());
            }

            @Override
            public void onBackoff(BackoffEvent event) {
                calls.add(name + ".backoff:" + event.delay().toMillis());
            }

            @Override
            public void onCallEnd(CallEvent event) {
                calls.add(name + ".call:" + event.reason().tagValue());
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    private RetryListener throwing(String name) {
        return new RetryListener() {
            @Override
            public void onAttempt(AttemptEvent event) {
                calls.add(name + ".attempt");
                throw new IllegalStateException(name + " broke on attempt");
            }

            @Override
            public void onBackoff(BackoffEvent event) {
                calls.add(name + ".backoff");
                throw new IllegalStateException(name + " broke on backoff");
            }

            @Override
            public void onCallEnd(CallEvent event) {
                calls.add(name + ".call");
                throw new IllegalStateException(name + " broke on call end");
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    private static void fire(RetryListener listener) {
        listener.onAttempt(ATTEMPT);
        listener.onBackoff(BACKOFF);
        listener.onCallEnd(CALL);
    }

    @Test
    void forwardsEveryEventToEveryListenerInOrder() {
        RetryListener composite = RetryListener.composite(List.of(recording("a"), recording("b"), recording("c")));
        fire(composite);
        assertThat(calls).containsExactly(
                "a.attempt:1", "b.attempt:1", "c.attempt:1",
                "a.backoff:500", "b.backoff:500", "c.backoff:500",
                "a.call:none", "b.call:none", "c.call:none");
        assertThat(logged).isEmpty();
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheOthers() {
        RetryListener composite = RetryListener.composite(List.of(recording("a"), throwing("bad"), recording("c")));
        fire(composite);
        assertThat(calls).containsExactly(
                "a.attempt:1", "bad.attempt", "c.attempt:1",
                "a.backoff:500", "bad.backoff", "c.backoff:500",
                "a.call:none", "bad.call", "c.call:none");
        assertThat(logged).hasSize(3).allSatisfy(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.WARNING);
            assertThat(record.getMessage()).isEqualTo("Retry listener bad failed; ignoring it for this event");
        });
        assertThat(logged).extracting(record -> record.getThrown().getMessage())
                .containsExactly("bad broke on attempt", "bad broke on backoff", "bad broke on call end");
    }

    @Test
    void aSingleListenerIsStillIsolated() {
        RetryListener composite = RetryListener.composite(List.of(throwing("only")));
        fire(composite);
        assertThat(calls).containsExactly("only.attempt", "only.backoff", "only.call");
        assertThat(logged).hasSize(3);
    }

    @Test
    void noListenersIsNone() {
        assertThat(RetryListener.composite(List.of())).isSameAs(RetryListener.NONE);
        assertThat(RetryListener.composite(List.of(RetryListener.NONE, RetryListener.NONE))).isSameAs(RetryListener.NONE);
        // NONE does nothing and throws nothing
        fire(RetryListener.NONE);
        assertThat(calls).isEmpty();
    }

    @Test
    void noneIsLeftOutOfAComposite() {
        RetryListener composite = RetryListener.composite(List.of(RetryListener.NONE, recording("a")));
        composite.onAttempt(ATTEMPT);
        assertThat(calls).containsExactly("a.attempt:1");
    }

    @Test
    void aCompositeAloneIsNotWrappedAgain() {
        RetryListener inner = RetryListener.composite(List.of(recording("a"), recording("b")));
        assertThat(RetryListener.composite(List.of(inner))).isSameAs(inner);
        assertThat(RetryListener.composite(List.of(inner, RetryListener.NONE))).isSameAs(inner);
        RetryListener outer = RetryListener.composite(List.of(inner, recording("c")));
        assertThat(outer).isNotSameAs(inner);
        outer.onBackoff(BACKOFF);
        assertThat(calls).containsExactly("a.backoff:500", "b.backoff:500", "c.backoff:500");
    }

    @Test
    void theCompositeKeepsItsOwnCopyOfTheList() {
        List<RetryListener> listeners = new ArrayList<>(List.of(recording("a")));
        RetryListener composite = RetryListener.composite(listeners);
        listeners.add(recording("late"));
        composite.onCallEnd(CALL);
        assertThat(calls).containsExactly("a.call:none");
    }

    @Test
    void defaultMethodsDoNothing() {
        RetryListener partial = new RetryListener() {
            @Override
            public void onCallEnd(CallEvent event) {
                calls.add("call");
            }
        };
        fire(RetryListener.composite(List.of(partial)));
        assertThat(calls).containsExactly("call");
    }

    // ---- the events ----

    @Test
    void attemptEventOfARetriedResponse() {
        assertThat(ATTEMPT.retried()).isTrue();
        assertThat(ATTEMPT.status()).hasValue(503);
        assertThat(ATTEMPT.error()).isNull();
    }

    @Test
    void attemptEventOfAStoppedFailure() {
        ConnectException error = new ConnectException("refused");
        AttemptEvent event = new AttemptEvent("orders", "POST", 4, Outcome.failure(error),
                new RetryDecision.Stop(Category.CONNECTION_REFUSED, StopReason.EXHAUSTED));
        assertThat(event.retried()).isFalse();
        assertThat(event.status()).isEmpty();
        assertThat(event.error()).isSameAs(error);
        assertThat(event.client()).isEqualTo("orders");
        assertThat(event.method()).isEqualTo("POST");
        assertThat(event.attempt()).isEqualTo(4);
    }

    @Test
    void eventsRejectNulls() {
        RetryDecision stop = new RetryDecision.Stop(Category.SUCCESS, StopReason.NONE);
        assertThatNullPointerException().isThrownBy(() -> new AttemptEvent(null, "GET", 1, UNAVAILABLE, stop)).withMessage("client");
        assertThatNullPointerException().isThrownBy(() -> new AttemptEvent("c", null, 1, UNAVAILABLE, stop)).withMessage("method");
        assertThatNullPointerException().isThrownBy(() -> new AttemptEvent("c", "GET", 1, null, stop)).withMessage("outcome");
        assertThatNullPointerException().isThrownBy(() -> new AttemptEvent("c", "GET", 1, UNAVAILABLE, null)).withMessage("decision");
        assertThatNullPointerException().isThrownBy(() -> new BackoffEvent(null, "GET", 1, Duration.ZERO, DelaySource.BACKOFF))
                .withMessage("client");
        assertThatNullPointerException().isThrownBy(() -> new BackoffEvent("c", null, 1, Duration.ZERO, DelaySource.BACKOFF))
                .withMessage("method");
        assertThatNullPointerException().isThrownBy(() -> new BackoffEvent("c", "GET", 1, null, DelaySource.BACKOFF)).withMessage("delay");
        assertThatNullPointerException().isThrownBy(() -> new BackoffEvent("c", "GET", 1, Duration.ZERO, null)).withMessage("source");
        assertThatNullPointerException().isThrownBy(() -> new CallEvent(null, "GET", 1, StopReason.NONE, null)).withMessage("client");
        assertThatNullPointerException().isThrownBy(() -> new CallEvent("c", null, 1, StopReason.NONE, null)).withMessage("method");
        assertThatNullPointerException().isThrownBy(() -> new CallEvent("c", "GET", 1, null, null)).withMessage("reason");
    }

    @Test
    void callEventSuccessAndRetried() {
        assertThat(CALL.success()).isTrue();
        assertThat(CALL.retried()).isTrue();
        CallEvent firstTimeFailure = new CallEvent("default", "GET", 1, StopReason.NOT_RETRYABLE, Outcome.response(404));
        assertThat(firstTimeFailure.success()).isFalse();
        assertThat(firstTimeFailure.retried()).isFalse();
        CallEvent cancelled = new CallEvent("default", "GET", 0, StopReason.CANCELLED, null);
        assertThat(cancelled.success()).isFalse();
        assertThat(cancelled.retried()).isFalse();
        assertThat(cancelled.lastOutcome()).isNull();
        assertThat(new CallEvent("default", "GET", 4, StopReason.EXHAUSTED, UNAVAILABLE).retried()).isTrue();
    }
}
