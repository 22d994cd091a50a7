package dev.httpretry.starter.contexts;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every class of the cached-context suite checks: each client a user has (a WebClient and a
 * RestClient from Boot's builders, the named clients, an HTTP service group) gets its call through
 * two 503s. The suite's classes run in name order ({@code junit-platform.properties}) in one JVM
 * with the test-context cache in its default mode, so Spring pauses a cached context when the next
 * class needs another, and restarts it when a later class reuses it.
 */
@Tag("servlet-app")
abstract class RetryingAppTests {

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("spring.http.serviceclient.upstream.base-url", FlakyUpstream.INSTANCE::url);
        registry.add("http.retry.clients.payments.base-url", FlakyUpstream.INSTANCE::url);
    }

    @Autowired
    WebClient.Builder webClients;

    @Autowired
    RestClient.Builder restClients;

    @Autowired
    @Qualifier("payments")
    WebClient payments;

    @Autowired
    @Qualifier("payments")
    RestClient paymentsRestClient;

    @Autowired
    ContextsApp.UpstreamService upstream;

    @Autowired
    ContextsApp.Pauses pauses;

    @Test
    void everyClientRetriesThroughTwo503s() {
        String web = path();
        assertThat(this.webClients.baseUrl(FlakyUpstream.INSTANCE.url()).build().get().uri(web).retrieve()
            .bodyToMono(String.class).block(Duration.ofSeconds(10))).isEqualTo("ok " + web);
        String rest = path();
        assertThat(this.restClients.baseUrl(FlakyUpstream.INSTANCE.url()).build().get().uri(rest).retrieve().body(String.class))
            .isEqualTo("ok " + rest);
        String named = path();
        assertThat(this.payments.get().uri(named).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10)))
            .isEqualTo("ok " + named);
        String namedRest = path();
        assertThat(this.paymentsRestClient.get().uri(namedRest).retrieve().body(String.class)).isEqualTo("ok " + namedRest);
        String group = path();
        assertThat(this.upstream.get(group.substring(1))).isEqualTo("ok " + group);
        for (String path : new String[] { web, rest, named, namedRest, group }) {
            assertThat(FlakyUpstream.INSTANCE.requests(path)).as(path).isEqualTo(3);
        }
    }

    private static String path() {
        return "/" + UUID.randomUUID();
    }
}
