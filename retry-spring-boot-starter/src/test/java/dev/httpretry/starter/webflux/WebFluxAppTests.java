package dev.httpretry.starter.webflux;

import java.time.Duration;

import dev.httpretry.starter.Upstream;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.reactor.netty.NettyWebServer;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A WebFlux app that only adds the starter and sets {@code http.retry.max-attempts: 3}
 * (application.yml) gets 3 attempts from the auto-configured {@link WebClient.Builder}.
 */
class WebFluxAppTests {

    @Test
    void maxAttemptsThreeGivesThreeAttempts() {
        try (Upstream upstream = Upstream.alwaysAnswering(503);
                ConfigurableApplicationContext app = new SpringApplicationBuilder(WebFluxApp.class).run()) {
            assertThat(app).isInstanceOf(ReactiveWebServerApplicationContext.class);
            assertThat(((ReactiveWebServerApplicationContext) app).getWebServer()).isInstanceOf(NettyWebServer.class);

            WebClient client = app.getBean(WebClient.Builder.class).baseUrl(upstream.baseUrl()).build();
            assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
                .isThrownBy(() -> client.get().uri("/orders").retrieve().bodyToMono(String.class)
                    .block(Duration.ofSeconds(10)))
                .satisfies((ex) -> assertThat(ex.getResponseBodyAsString()).isEqualTo("response 3"));
            assertThat(upstream.requests()).isEqualTo(3);
        }
    }
}
