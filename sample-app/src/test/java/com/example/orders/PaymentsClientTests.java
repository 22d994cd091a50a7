package com.example.orders;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import com.sun.net.httpserver.HttpServer;
import dev.httpretry.client.RetryRequests;
import dev.httpretry.core.DelaySource;
import dev.httpretry.core.StopReason;
import dev.httpretry.test.FaultInjector;
import dev.httpretry.test.RetryRecorder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@SpringBootTest(properties = "http.retry.testing.skip-waits=true")
class PaymentsClientTests {

    /** The payments service: answers "paid"; the faults make it fail. */
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
    FaultInjector faults;

    @Autowired
    RetryRecorder recorder;

    @AfterAll
    static void stop() {
        payments.stop(0);
    }

    @Test
    void two429sAreRetriedAfterTheirRetryAfter() {
        this.faults.forClient("payments").next(2).respond(429, "Retry-After", "2");

        String body = this.client.get().uri("/charges/7").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(5));

        assertThat(body).isEqualTo("paid");
        this.recorder.lastCall("payments").check()
            .attempts(3)
            .statuses(429, 429, 200)
            .waited(Duration.ofSeconds(2), DelaySource.RETRY_AFTER)
            .waitedInAll(Duration.ofSeconds(4))                // skipped: the test takes milliseconds
            .ended(StopReason.NONE);
    }

    @Test
    void aPostWhoseConnectionResetIsNotRetried() {
        this.faults.forClient("payments").next(1).reset();

        assertThatExceptionOfType(WebClientRequestException.class)
            .isThrownBy(() -> this.client.post().uri("/charges").bodyValue("7 EUR").retrieve()
                .bodyToMono(String.class).block(Duration.ofSeconds(5)));
        this.recorder.lastCall("payments").check().attempts(1).noWait().ended(StopReason.UNSAFE_METHOD);
    }

    @Test
    void noRetrySendsOnce() {
        this.faults.forEveryClient().next(1).respond(503);

        assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
            .isThrownBy(() -> this.client.get().uri("/charges/7").attributes(RetryRequests.noRetry()).retrieve()
                .bodyToMono(String.class).block(Duration.ofSeconds(5)));
        assertThat(this.recorder.calls("payments")).as("a request sent once is no retried call").isEmpty();
    }

    static HttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", (exchange) -> {
                byte[] body = "paid".getBytes();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
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
