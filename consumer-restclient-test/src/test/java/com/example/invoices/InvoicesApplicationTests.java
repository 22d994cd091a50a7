package com.example.invoices;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
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
import org.springframework.util.ClassUtils;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** RestClient retrying in an MVC app whose classpath has neither WebFlux nor Reactor. */
@SpringBootTest(properties = "http.retry.testing.skip-waits=true")
class InvoicesApplicationTests {

    static final AtomicInteger requests = new AtomicInteger();

    /** Answers 503 twice, then 200, and so on. */
    static final HttpServer upstream = start();

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("http.retry.clients.billing.base-url", () -> "http://127.0.0.1:" + upstream.getAddress().getPort());
    }

    @Autowired
    RestClient.Builder builder;

    @Autowired
    @Qualifier("billing")
    RestClient billing;

    @Autowired
    FaultInjector faults;

    @Autowired
    RetryRecorder recorder;

    @AfterAll
    static void stop() {
        upstream.stop(0);
    }

    @Test
    void theClasspathHasNeitherWebFluxNorReactor() {
        assertThat(ClassUtils.isPresent("reactor.core.publisher.Mono", null)).isFalse();
        assertThat(ClassUtils.isPresent("org.springframework.web.reactive.function.client.WebClient", null)).isFalse();
    }

    @Test
    void aRestClientFromTheBuilderRetries() {
        int before = requests.get();
        String body = this.builder.baseUrl("http://127.0.0.1:" + upstream.getAddress().getPort()).build()
            .get().uri("/invoices/1").retrieve().body(String.class);
        assertThat(body).isEqualTo("paid");
        assertThat(requests.get() - before).isEqualTo(3);
    }

    @Test
    void theTestSupportInjectsFaultsAndRecordsCallsWithoutReactor() {
        this.faults.forClient("billing").next(1).refuseConnection();
        int before = requests.get();
        assertThat(this.billing.get().uri("/invoices/3").retrieve().body(String.class)).isEqualTo("paid");
        // the refused attempt never reached the server; then its 503s and its 200
        assertThat(requests.get() - before).isEqualTo(3);
        this.recorder.lastCall("billing").check().attempts(4).statuses(503, 503, 200).ended(StopReason.NONE);
    }

    @Test
    void theNamedRestClientRetries() {
        int before = requests.get();
        assertThat(this.billing.get().uri("/invoices/2").retrieve().body(String.class)).isEqualTo("paid");
        assertThat(requests.get() - before).isEqualTo(3);
    }

    static HttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", (exchange) -> {
                byte[] body = "paid".getBytes(StandardCharsets.UTF_8);
                boolean fail = requests.incrementAndGet() % 3 != 0;
                exchange.getRequestBody().readAllBytes();
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
