package dev.httpretry.autoconfigure;

import java.time.Duration;

import dev.httpretry.testing.TestServer;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientPropertiesAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.boot.webclient.autoconfigure.service.ReactiveHttpServiceClientAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.registry.HttpServiceGroup;
import org.springframework.web.service.registry.ImportHttpServices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * HTTP service interfaces of a WebClient-backed group ({@code @ImportHttpServices}, configured with
 * {@code spring.http.serviceclient.<group>.*}) retry too: Boot applies every
 * {@code WebClientCustomizer}, ours included, to each group's builder.
 */
class HttpServiceGroupTests {

    private static final Duration BLOCK = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(HttpServiceClientPropertiesAutoConfiguration.class,
                WebClientAutoConfiguration.class, ReactiveHttpServiceClientAutoConfiguration.class,
                HttpRetryAutoConfiguration.class, HttpRetryWebClientAutoConfiguration.class))
        .withUserConfiguration(GreetingServiceConfiguration.class)
        .withPropertyValues("http.retry.backoff.initial-delay=1ms", "http.retry.backoff.max-delay=5ms");

    @Test
    void aServiceProxysCallIsRetried() {
        try (TestServer server = TestServer.answering(503, 200)) {
            this.runner.withPropertyValues("spring.http.serviceclient.greetings.base-url=" + server.url())
                .run((context) -> {
                    assertThat(context).hasNotFailed().hasSingleBean(GreetingService.class);
                    String greeting = context.getBean(GreetingService.class).greeting().block(BLOCK);
                    assertThat(greeting).isEqualTo("response 2");
                    assertThat(server.requests()).isEqualTo(2);
                    assertThat(server.paths()).containsOnly("/greeting");
                });
        }
    }

    @Test
    void aServiceProxysCallIsSentOnceWhenRetryingIsDisabled() {
        try (TestServer server = TestServer.answering(503, 200)) {
            this.runner
                .withPropertyValues("spring.http.serviceclient.greetings.base-url=" + server.url(),
                        "http.retry.enabled=false")
                .run((context) -> {
                    assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
                        .isThrownBy(() -> context.getBean(GreetingService.class).greeting().block(BLOCK));
                    assertThat(server.requests()).isEqualTo(1);
                });
        }
    }

    interface GreetingService {

        @GetExchange("/greeting")
        Mono<String> greeting();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportHttpServices(group = "greetings", types = GreetingService.class, clientType = HttpServiceGroup.ClientType.WEB_CLIENT)
    static class GreetingServiceConfiguration {
    }
}
