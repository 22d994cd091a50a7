package dev.httpretry.sample;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import dev.httpretry.webclient.RetryRequests;
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

/**
 * The README's "Testing" example, run as it is written there (only the sample's own start-up demo
 * is turned off): a named client pointed at a local server with {@code @DynamicPropertySource},
 * fast backoff, attempts counted through the {@link MeterRegistry}, and {@code noRetry()}.
 */
@SpringBootTest(properties = {
        "sample.demo.on-startup=false",
        "http.retry.backoff.initial-delay=1ms",
        "http.retry.backoff.max-delay=5ms",
        "http.retry.connection-refused-min-delay=0ms",
        "http.retry.budget.enabled=false" })
class PaymentsClientTests {

    /** Answers 503 to every other request, starting with the first. */
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
    void a503IsRetried() {
        String body = this.client.get().uri("/charges/7").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(5));

        assertThat(body).isEqualTo("paid");
        assertThat(requests).hasValue(2);
        assertThat(this.meters.get("http.client.retry.attempts").tag("client", "payments").tag("retried", "true")
            .counter().count()).isGreaterThanOrEqualTo(1);
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
                boolean fail = requests.incrementAndGet() % 2 == 1;
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
