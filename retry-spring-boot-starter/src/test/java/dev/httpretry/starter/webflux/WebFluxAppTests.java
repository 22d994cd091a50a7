package dev.httpretry.starter.webflux;

import dev.httpretry.starter.Upstream;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.reactor.netty.NettyWebServer;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WebFlux app that only adds the starter and sets {@code http.retry.max-attempts: 3}
 * (application.yml) gets 3 attempts from the auto-configured {@code WebClient.Builder}.
 */
class WebFluxAppTests {

    @Test
    void maxAttemptsThreeGivesThreeAttempts() {
        try (Upstream upstream = Upstream.alwaysAnswering(503);
                ConfigurableApplicationContext app = new SpringApplicationBuilder(WebFluxApp.class).run()) {
            assertThat(app).isInstanceOf(ReactiveWebServerApplicationContext.class);
            assertThat(((ReactiveWebServerApplicationContext) app).getWebServer()).isInstanceOf(NettyWebServer.class);

            upstream.assertThreeAttemptsThrough(app);
        }
    }
}
