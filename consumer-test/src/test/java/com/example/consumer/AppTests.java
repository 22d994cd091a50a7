package com.example.consumer;

import java.time.Duration;
import java.util.function.Supplier;

import dev.httpretry.core.DelaySource;
import dev.httpretry.core.StopReason;
import dev.httpretry.test.FaultInjector;
import dev.httpretry.test.RetryRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.client.HttpServerErrorException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What every class of the suite checks, each with its own properties: every way the application
 * calls gets through a 503 with the number of requests its policy says, and the meters count the
 * calls under each client's name. The classes run in name order with Spring's test-context cache in
 * its default mode, so a context is paused when the next class needs another, and restarted when a
 * later class reuses it. The test support (retry-spring-boot-test) skips the waits, records each call
 * and injects faults, in every context of the suite.
 */
@TestPropertySource(properties = "http.retry.testing.skip-waits=true")
abstract class AppTests {

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        for (String key : new String[] { "spring.http.serviceclient.catalog.base-url", "spring.http.serviceclient.stock.base-url",
                "pricing.base-url", "shipping.base-url", "http.retry.clients.payments.base-url" }) {
            registry.add(key, Upstream.INSTANCE::url);
        }
    }

    @Autowired
    Calls calls;

    @Autowired
    Catalog catalog;

    @Autowired
    Stock stock;

    @Autowired
    MeterRegistry meters;

    @Autowired
    FaultInjector faults;

    @Autowired
    RetryRecorder recorder;

    @Test
    void everyWayOfCallingGetsThroughA503() {
        Upstream upstream = Upstream.INSTANCE;
        String price = Upstream.failing(1);
        assertThat(this.calls.price(price)).isEqualTo("ok");
        assertThat(upstream.requests("pricing", price)).isEqualTo(2);
        String pay = Upstream.failing(2);
        assertThat(this.calls.pay(pay)).isEqualTo("ok");
        assertThat(upstream.requests("payments", pay)).isEqualTo(3);
        String ship = Upstream.failing(1);
        assertThat(this.calls.ship(ship)).isEqualTo("ok");
        assertThat(upstream.requests("shipping", ship)).isEqualTo(2);
        String item = Upstream.failing(2);
        assertThat(this.catalog.item(item)).isEqualTo("ok");
        assertThat(upstream.requests("catalog", item)).isEqualTo(3);
        String update = Upstream.failing(1);
        assertThat(this.catalog.update(update, "price 12")).as("a POST marked idempotent is retried").isEqualTo("ok");
        assertThat(upstream.requests("catalog", update)).isEqualTo(2);
        String once = Upstream.failing(1);
        assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class).isThrownBy(() -> this.catalog.once(once));
        assertThat(upstream.requests("catalog", once)).isEqualTo(1);
        String level = Upstream.failing(1);
        assertThat(this.stock.level(level)).isEqualTo("ok");
        assertThat(upstream.requests("stock", level)).isEqualTo(2);

        assertThat(calls("catalog")).isGreaterThanOrEqualTo(2);
        assertThat(calls("stock")).isGreaterThanOrEqualTo(1);
        assertThat(calls("payments")).isGreaterThanOrEqualTo(1);
        assertThat(calls("default")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anInjected503IsRetriedAfterItsRetryAfterWithoutWaitingInEveryWayOfCalling() {
        retriedAfterTwoSeconds("default", () -> this.calls.price(Upstream.failing(0)));
        retriedAfterTwoSeconds("payments", () -> this.calls.pay(Upstream.failing(0)));
        retriedAfterTwoSeconds("default", () -> this.calls.ship(Upstream.failing(0)));
        retriedAfterTwoSeconds("catalog", () -> this.catalog.item(Upstream.failing(0)));
        retriedAfterTwoSeconds("stock", () -> this.stock.level(Upstream.failing(0)));
    }

    private void retriedAfterTwoSeconds(String client, Supplier<String> call) {
        this.faults.forClient(client).next(1).respond(503, "Retry-After", "2");
        assertThat(call.get()).isEqualTo("ok");
        this.recorder.lastCall(client).check().attempts(2).statuses(503, 200).waited(Duration.ofSeconds(2), DelaySource.RETRY_AFTER)
            .ended(StopReason.NONE);
    }

    /** The calls of one client so far: every series of the counter, summed. */
    double calls(String client) {
        return this.meters.find("http.client.retry.calls").tag("client", client).counters().stream().mapToDouble(Counter::count).sum();
    }
}
