package dev.httpretry.starter;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** A real upstream on 127.0.0.1 and a free port that answers every request with one status, counting them. */
public final class Upstream implements AutoCloseable {

    private final AtomicInteger requests = new AtomicInteger();

    private final DisposableServer server;

    private Upstream(int status) {
        this.server = HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle((request, response) -> {
                int number = this.requests.incrementAndGet();
                return response.status(status).sendString(Mono.just("response " + number));
            })
            .bindNow();
    }

    public static Upstream alwaysAnswering(int status) {
        return new Upstream(status);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + this.server.port();
    }

    public int requests() {
        return this.requests.get();
    }

    /**
     * Calls this upstream through a WebClient from the app's auto-configured builder and checks
     * that {@code max-attempts: 3} gave exactly three attempts and the last response untouched.
     */
    public void assertThreeAttemptsThrough(ConfigurableApplicationContext app) {
        WebClient client = app.getBean(WebClient.Builder.class).baseUrl(baseUrl()).build();
        assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
            .isThrownBy(() -> client.get().uri("/orders").retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10)))
            .satisfies((ex) -> assertThat(ex.getResponseBodyAsString()).isEqualTo("response 3"));
        assertThat(requests()).isEqualTo(3);
    }

    @Override
    public void close() {
        this.server.disposeNow();
    }
}
