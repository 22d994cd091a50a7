package com.example.consumer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts the application with only the starter on its classpath and checks that a WebClient built
 * from Boot's builder retries a 503 from a server on 127.0.0.1.
 */
@SpringBootTest(properties = { "http.retry.backoff.initial-delay=10ms", "http.retry.backoff.jitter=none" })
class ConsumerApplicationTests {

    private final AtomicInteger requests = new AtomicInteger();

    private HttpServer server;

    @Autowired
    private WebClient.Builder builder;

    @BeforeEach
    void startServer() throws IOException {
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.server.createContext("/", (exchange) -> {
            // the first request is answered 503, every later one 200
            boolean first = this.requests.incrementAndGet() == 1;
            byte[] body = (first ? "unavailable" : "ok").getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(first ? 503 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        this.server.start();
    }

    @AfterEach
    void stopServer() {
        this.server.stop(0);
    }

    @Test
    void webClientFromTheBuilderRetriesA503() {
        WebClient client = this.builder.baseUrl("http://127.0.0.1:" + this.server.getAddress().getPort()).build();

        String body = client.get().retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));

        assertThat(body).isEqualTo("ok");
        assertThat(this.requests).hasValue(2);
    }
}
