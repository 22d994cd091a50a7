package dev.httpretry.test;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The test support's listener scopes faults and records to one test method: what the first test
 * leaves behind (a fault on every request, a recorded call) is gone when the second starts, in the
 * same cached context.
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = { "http.retry.testing.skip-waits=true", "spring.http.clients.imperative.factory=jdk" })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScopedToEachTestTests {

    static final Upstream upstream = new Upstream();

    @AfterAll
    static void stop() {
        upstream.close();
    }

    @Autowired
    FaultInjector faults;

    @Autowired
    RetryRecorder recorder;

    @Autowired
    RestClient.Builder restClients;

    @Test
    @Order(1)
    void aTestLeavesAFaultAndACallBehind() {
        this.faults.forEveryClient().always().respond(503);
        RestClient client = this.restClients.baseUrl(upstream.url()).build();
        assertThatExceptionOfType(RestClientResponseException.class).isThrownBy(() -> client.get().uri("/a").retrieve().body(String.class));
        assertThat(this.recorder.calls()).hasSize(1);
    }

    @Test
    @Order(2)
    void theNextTestStartsClean() {
        assertThat(this.recorder.calls()).isEmpty();
        assertThat(this.faults.injected()).isZero();
        RestClient client = this.restClients.baseUrl(upstream.url()).build();
        assertThat(client.get().uri("/b").retrieve().body(String.class)).isEqualTo("ok");
        this.recorder.lastCall().check().attempts(1);
    }
}
