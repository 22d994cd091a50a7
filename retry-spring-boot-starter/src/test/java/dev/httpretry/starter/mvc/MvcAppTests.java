package dev.httpretry.starter.mvc;

import dev.httpretry.starter.Upstream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring MVC app that only adds the starter and sets {@code http.retry.max-attempts: 3}
 * (application.yml) gets 3 attempts from the auto-configured {@code WebClient.Builder}.
 * Tagged {@code servlet-app}: the build runs it on its own, without WebFlux's server on the classpath.
 */
@Tag("servlet-app")
class MvcAppTests {

    @Test
    void maxAttemptsThreeGivesThreeAttempts() {
        try (Upstream upstream = Upstream.alwaysAnswering(503);
                ConfigurableApplicationContext app = new SpringApplicationBuilder(MvcApp.class).run()) {
            assertThat(app).isInstanceOf(ServletWebServerApplicationContext.class);
            assertThat(((ServletWebServerApplicationContext) app).getWebServer()).isInstanceOf(TomcatWebServer.class);

            upstream.assertThreeAttemptsThrough(app);
        }
    }
}
