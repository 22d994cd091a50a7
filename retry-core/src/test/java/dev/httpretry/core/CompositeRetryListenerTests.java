package dev.httpretry.core;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Map;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Several listeners as one: each told in turn, a failing one skipped, none of them a cost when absent. */
class CompositeRetryListenerTests {

    private static final CallEvent END = new CallEvent("default", "GET", 1, StopReason.NONE, null);

    @Test
    void noListenerIsNone() {
        assertThat(RetryListener.composite(List.of())).isSameAs(RetryListener.NONE);
        assertThat(RetryListener.composite(List.of(RetryListener.NONE, RetryListener.NONE))).isSameAs(RetryListener.NONE);
    }

    @Test
    void eachListenerIsToldInTurnEvenAfterOneThrows() {
        List<String> told = new ArrayList<>();
        RetryListener first = new RetryListener() {
            @Override
            public void onCallEnd(CallEvent event) {
                told.add("first");
                throw new IllegalStateException("broken listener");
            }
        };
        RetryListener second = new RetryListener() {
            @Override
            public void onCallEnd(CallEvent event) {
                told.add("second");
            }
        };
        RetryListener.composite(List.of(first, second)).onCallEnd(END);
        assertThat(told).containsExactly("first", "second");
    }

    @Test
    void aCompositeAloneIsReturnedAsItIsAndOneAmongOthersIsFlattened() {
        List<String> told = new ArrayList<>();
        RetryListener a = listener("a", told);
        RetryListener b = listener("b", told);
        RetryListener c = listener("c", told);
        RetryListener group = RetryListener.composite(List.of(a, b));
        assertThat(RetryListener.composite(List.of(group))).isSameAs(group);
        RetryListener all = RetryListener.composite(List.of(group, RetryListener.NONE, c));
        all.onCallEnd(END);
        assertThat(told).containsExactly("a", "b", "c");
        assertThat(all.toString()).isEqualTo("CompositeRetryListener[a, b, c]");
    }

    @Test
    void aCallGetsEachListenersOwnAndNothingIsMadeWhenNoneHasOne() {
        List<String> told = new ArrayList<>();
        RetryListener every = listener("every", told);
        RetryListener broken = new RetryListener() {
            @Override
            public RetryListener forCall(String client, String method, URI uri) {
                throw new IllegalStateException("broken listener");
            }
        };
        RetryListener plain = RetryListener.composite(List.of(every, broken));
        assertThat(plain.forCall("default", "GET", URI.create("http://a/"))).isSameAs(plain);

        RetryListener perCall = new RetryListener() {
            @Override
            public RetryListener forCall(String client, String method, URI uri) {
                return listener(client + " " + method + " " + uri, told);
            }
        };
        RetryListener all = RetryListener.composite(List.of(every, perCall, broken));
        all.forCall("payments", "POST", URI.create("http://a/pay?x=1")).onCallEnd(END);
        assertThat(told).containsExactly("every", "payments POST http://a/pay?x=1");
        told.clear();
        all.onCallEnd(END);
        assertThat(told).as("the listeners of every call are unchanged").containsExactly("every");
    }

    @Test
    void aClientStartsEachCallWithTheListenersOwnForIt() {
        List<String> told = new ArrayList<>();
        RetryListener perCall = new RetryListener() {
            @Override
            public RetryListener forCall(String client, String method, URI uri) {
                return listener(client + " " + method + " " + uri.getPath(), told);
            }
        };
        RetryClient client = RetryClients.of(Map.of("default", RetryPolicy.builder().build()), Clock.systemUTC()).get("default");
        RetryExecution call = client.start("GET", URI.create("http://a/orders"), (name) -> null, perCall, System::nanoTime);
        call.startAttempt();
        call.onResponse(1, 200, (name) -> null);
        assertThat(told).containsExactly("default GET /orders");
    }

    private static RetryListener listener(String name, List<String> told) {
        return new RetryListener() {
            @Override
            public void onCallEnd(CallEvent event) {
                told.add(name);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
