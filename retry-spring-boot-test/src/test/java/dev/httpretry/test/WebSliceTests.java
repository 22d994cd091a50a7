package dev.httpretry.test;

import java.time.Duration;

import dev.httpretry.core.StopReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.restclient.test.autoconfigure.AutoConfigureRestClient;
import org.springframework.boot.webclient.test.autoconfigure.AutoConfigureWebClient;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * {@code @WebFluxTest} and {@code @WebMvcTest} slices of a controller that calls another service,
 * with the client's slice annotation: the starter and the test support are part of the slice, so
 * the faults a test injects are retried as in the application.
 */
class WebSliceTests {

    static final Upstream upstream = new Upstream();

    @DynamicPropertySource
    static void url(DynamicPropertyRegistry registry) {
        registry.add("upstream.url", upstream::url);
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    @Nested
    @WebFluxTest(properties = "http.retry.testing.skip-waits=true")
    @AutoConfigureWebClient
    @Import(ReactiveQuotes.class)
    class WebFlux {

        @Autowired
        WebTestClient web;

        @Autowired
        FaultInjector faults;

        @Autowired
        RetryRecorder recorder;

        @Test
        void twoInjected503sAreRetried() {
            this.faults.forEveryClient().next(2).respond(503);
            this.web.get().uri("/quote").exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("ok");
            this.recorder.lastCall("default").check().attempts(3).statuses(503, 503, 200).ended(StopReason.NONE);
        }
    }

    @Nested
    @WebMvcTest(properties = "http.retry.testing.skip-waits=true")
    @AutoConfigureRestClient
    @Import(BlockingQuotes.class)
    class WebMvc {

        @Autowired
        MockMvc mvc;

        @Autowired
        FaultInjector faults;

        @Autowired
        RetryRecorder recorder;

        @Test
        void twoInjected503sAreRetried() throws Exception {
            this.faults.forEveryClient().next(2).respond(503, "Retry-After", "3");
            this.mvc.perform(get("/quote")).andExpect(status().isOk()).andExpect(content().string("ok"));
            this.recorder.lastCall("default").check().attempts(3).statuses(503, 503, 200).waitedInAll(Duration.ofSeconds(6))
                .ended(StopReason.NONE);
        }
    }

    @RestController
    static class ReactiveQuotes {

        private final WebClient client;

        ReactiveQuotes(WebClient.Builder builder, Environment environment) {
            this.client = builder.baseUrl(environment.getRequiredProperty("upstream.url")).build();
        }

        @GetMapping("/quote")
        Mono<String> quote() {
            return this.client.get().uri("/quotes/tea").retrieve().bodyToMono(String.class);
        }
    }

    @RestController
    static class BlockingQuotes {

        private final RestClient client;

        BlockingQuotes(RestClient.Builder builder, Environment environment) {
            this.client = builder.baseUrl(environment.getRequiredProperty("upstream.url")).build();
        }

        @GetMapping("/quote")
        String quote() {
            return this.client.get().uri("/quotes/tea").retrieve().body(String.class);
        }
    }
}
