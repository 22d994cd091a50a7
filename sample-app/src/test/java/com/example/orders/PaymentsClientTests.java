package com.example.orders;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import dev.httpretry.client.RetryRequests;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@SpringBootTest(properties = {
        "http.retry.backoff.initial-delay=1ms",          // fast backoff: a test never waits seconds
        "http.retry.backoff.max-delay=5ms",
        "http.retry.connection-refused-min-delay=0ms",
        "http.retry.budget.enabled=false" })             // many retries in a few ms are fine here
class PaymentsClientTests {

    /** Answers 503 twice, then 200, and so on. */
    static final AtomicInteger requests = new AtomicInteger();

    static final HttpServer payments = start();

    @DynamicPropertySource
    static void paymentsBaseUrl(DynamicPropertyRegistry registry) {
        registry.add("http.retry.clients.payments.base-url",
                () -> "http://127.0.0.1:" + payments.getAddress().getPort());
    }

    @Autowired
    @Qualifier("payments")
    WebClient client;

    @Autowired
    MeterRegistry meters;

    @BeforeEach
    void reset() {
        requests.set(0);
    }

    @AfterAll
    static void stop() {
        payments.stop(0);
    }

    @Test
    void two503sAreRetried() {
        String body = this.client.get().uri("/charges/7").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(5));

        assertThat(body).isEqualTo("paid");
        assertThat(requests).hasValue(3);
        // attempts 1 and 2 were retried: a series each (tag attempt), so sum them; counter() would read one
        double retried = this.meters.get("http.client.retry.attempts").tag("client", "payments").tag("retried", "true")
            .counters().stream().mapToDouble(Counter::count).sum();
        assertThat(retried).isEqualTo(2.0);
    }

    @Test
    void noRetrySendsOnce() {
        assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
            .isThrownBy(() -> this.client.get().uri("/charges/7").attributes(RetryRequests.noRetry()).retrieve()
                .bodyToMono(String.class).block(Duration.ofSeconds(5)));
        assertThat(requests).hasValue(1);
    }

    static HttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", (exchange) -> {
                byte[] body = "paid".getBytes();
                boolean fail = requests.incrementAndGet() % 3 != 0;
                exchange.sendResponseHeaders(fail ? 503 : 200, fail ? -1 : body.length);
                if (!fail) {
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            server.start();
            return server;
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
