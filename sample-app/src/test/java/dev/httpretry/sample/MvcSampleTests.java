package dev.httpretry.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.service.registry.HttpServiceProxyRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The sample's {@code mvc} profile: a Spring MVC app on Tomcat whose demo calls the upstream (on a
 * server of its own, on a free port) through two HTTP service groups backed by RestClient, one sent
 * once and one retrying under {@code http.retry.clients.upstream-api}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "sample.demo.on-startup=false",
        "sample.demo.delay-ms=0",
        "sample.upstream.seed=7" })
@ActiveProfiles("mvc")
class MvcSampleTests {

    /** Chosen once: a dynamic property's supplier is asked again each time the property is read. */
    private static final int UPSTREAM_PORT = freePort();

    @Autowired
    private ApplicationContext context;

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void upstreamPort(DynamicPropertyRegistry registry) {
        registry.add("sample.upstream.port", () -> UPSTREAM_PORT);
    }

    @Test
    void startsAsASpringMvcAppOnTomcatWithTheTwoServiceGroups() {
        assertThat(this.context).isInstanceOf(ServletWebServerApplicationContext.class);
        assertThat(((ServletWebServerApplicationContext) this.context).getWebServer()).isInstanceOf(TomcatWebServer.class);
        assertThat(this.context.getBean(HttpServiceProxyRegistry.class).getGroupNames())
            .contains(MvcDemoConfiguration.RETRYING_GROUP, MvcDemoConfiguration.PLAIN_GROUP);
        assertThat(this.context.getBean(UpstreamServer.class).url())
            .isEqualTo("http://127.0.0.1:" + this.context.getEnvironment().getProperty("sample.upstream.port") + "/upstream");
        assertThat(this.context.getBeanProvider(WebFluxDemoConfiguration.class).getIfAvailable()).isNull();
    }

    @Test
    void theRetryingGroupSucceedsMoreOftenThanThePlainOne() {
        DemoReport report = client().get().uri("/demo?calls=40&concurrency=10&fail=0.5&mode=error")
            .accept(MediaType.APPLICATION_JSON)
            .retrieve()
            .body(DemoReport.class);
        assertThat(report).isNotNull();
        assertThat(report.runs()).extracting(RunResult::client).containsExactly(Demo.PLAIN, MvcDemoConfiguration.RETRYING);
        RunResult plain = report.run(Demo.PLAIN);
        RunResult retrying = report.run(MvcDemoConfiguration.RETRYING);

        assertThat(plain.attempts()).as("the plain group sends each call once").isEqualTo(40);
        assertThat(plain.failures()).containsOnlyKeys("503");
        assertThat(retrying.successes()).isGreaterThan(plain.successes());
        assertThat(retrying.attempts()).isGreaterThan(40).isLessThanOrEqualTo(4 * 40);
        assertThat(retrying.stopReasons().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(40);
        assertThat(retrying.stopReasons().get("none")).isEqualTo(retrying.successes());

        String state = client().get().uri("/actuator/retry/" + MvcDemoConfiguration.RETRYING_GROUP).retrieve().body(String.class);
        assertThat(state).contains("\"name\":\"upstream-api\"").contains("\"attempt-timeout\":\"500ms\"");
    }

    @Test
    void demoAnswersWithTheTableOrABadRequest() {
        String table = client().get().uri("/demo?calls=10&fail=0&format=text").retrieve().body(String.class);
        assertThat(table).contains("amplification", Demo.PLAIN, MvcDemoConfiguration.RETRYING);

        assertThatExceptionOfType(RestClientResponseException.class)
            .isThrownBy(() -> client().get().uri("/demo?fail=2").retrieve().toBodilessEntity())
            .satisfies((ex) -> {
                assertThat(ex.getStatusCode()).isEqualTo(HttpStatusCode.valueOf(400));
                assertThat(ex.getResponseBodyAsString()).contains("Invalid fail (2.0)");
            });
    }

    private RestClient client() {
        return RestClient.create("http://localhost:" + this.port);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
