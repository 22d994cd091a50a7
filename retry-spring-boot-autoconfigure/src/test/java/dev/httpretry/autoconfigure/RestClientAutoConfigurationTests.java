package dev.httpretry.autoconfigure;

import dev.httpretry.actuate.RetryStatistics;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.StopReason;
import dev.httpretry.restclient.RetryClientHttpRequestInterceptor;
import dev.httpretry.testing.RecordingListener;
import dev.httpretry.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientPropertiesAutoConfiguration;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.service.HttpServiceClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.registry.HttpServiceGroup;
import org.springframework.web.service.registry.ImportHttpServices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The RestClient wiring of {@link HttpRetryRestClientAutoConfiguration}: Boot's auto-configured
 * {@link RestClient.Builder}, named {@code <name>RestClient} beans, the switch, the shared clients
 * and listeners, HTTP service groups and the start-up warning. Requests go to a real {@link TestServer}.
 */
@ExtendWith(OutputCaptureExtension.class)
class RestClientAutoConfigurationTests {

    private static final String[] FAST = { "http.retry.backoff.initial-delay=1ms", "http.retry.backoff.max-delay=5ms",
            "http.retry.connection-refused-min-delay=0ms" };

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ImperativeHttpClientAutoConfiguration.class,
                RestClientAutoConfiguration.class, WebClientAutoConfiguration.class, HttpRetryAutoConfiguration.class, HttpRetryWebClientAutoConfiguration.class,
                HttpRetryRestClientAutoConfiguration.class))
        // Boot's choice in an app that has only the starter's Reactor Netty (this module's tests also have
        // Apache HttpClient 5, which Boot would prefer, and which re-sends a 429 or 503 once by itself)
        .withPropertyValues(FAST)
        .withPropertyValues("spring.http.clients.imperative.factory=reactor");

    @Test
    void everyRestClientFromTheAutoConfiguredBuilderRetriesUnderTheDefaultPolicy() {
        try (TestServer server = TestServer.answering(503, 502, 200)) {
            this.runner.withUserConfiguration(Recording.class).run((context) -> {
                assertThat(context).hasNotFailed().hasSingleBean(RetryClientHttpRequestInterceptor.class)
                    .hasBean(HttpRetryRestClientAutoConfiguration.CUSTOMIZER_BEAN_NAME);
                RestClient client = context.getBean(RestClient.Builder.class).baseUrl(server.url()).build();

                assertThat(client.get().retrieve().body(String.class)).isEqualTo("response 3");
                assertThat(server.requests()).isEqualTo(3);
                CallEvent call = context.getBean(RecordingListener.class).onlyCall();
                assertThat(call.client()).isEqualTo("default");
                assertThat(call.attempts()).isEqualTo(3);
            });
        }
    }

    /** RestClient retrying needs neither WebFlux nor Reactor: the shared auto-configuration has no client condition. */
    @Test
    void restClientRetriesWithoutWebFluxOrReactor() {
        try (TestServer server = TestServer.answering(503, 200)) {
            this.runner.withClassLoader(new FilteredClassLoader("org.springframework.web.reactive", "reactor."))
                .withPropertyValues("spring.http.clients.imperative.factory=jdk")
                .run((context) -> {
                    assertThat(context).hasNotFailed().hasSingleBean(RetryClientHttpRequestInterceptor.class)
                        .doesNotHaveBean(HttpRetryWebClientAutoConfiguration.CUSTOMIZER_BEAN_NAME)
                        .doesNotHaveBean(HttpRetryWebClientAutoConfiguration.TIMER_BEAN_NAME);
                    RestClient client = context.getBean(RestClient.Builder.class).baseUrl(server.url()).build();
                    assertThat(client.get().retrieve().body(String.class)).isEqualTo("response 2");
                    assertThat(server.requests()).isEqualTo(2);
                });
        }
    }

    @Test
    void theLastResponseReachesTheCallerAsWithoutTheStarter() {
        try (TestServer server = TestServer.answering(503)) {
            this.runner.run((context) -> {
                RestClient client = context.getBean(RestClient.Builder.class).baseUrl(server.url()).build();
                assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
                    .isThrownBy(() -> client.get().retrieve().body(String.class));
                assertThat(server.requests()).isEqualTo(4);
            });
        }
    }

    @Test
    void aBuilderCustomizedTwiceRetriesOnce() {
        try (TestServer server = TestServer.answering(503)) {
            this.runner.run((context) -> {
                RestClient.Builder builder = context.getBean(RestClient.Builder.class);
                context.getBean(RetryClientHttpRequestInterceptor.class).applyTo(builder);
                assertThatExceptionOfType(HttpServerErrorException.class)
                    .isThrownBy(() -> builder.baseUrl(server.url()).build().get().retrieve().toBodilessEntity());
                assertThat(server.requests()).isEqualTo(4);
            });
        }
    }

    @Test
    void namedClientGetsARestClientBeanQualifiedByItsNameBesideItsWebClient() {
        try (TestServer server = TestServer.answering(503)) {
            this.runner.withUserConfiguration(Recording.class, InjectsPayments.class)
                .withPropertyValues("http.retry.clients.payments.base-url=" + server.url(),
                        "http.retry.clients.payments.max-attempts=2")
                .run((context) -> {
                    assertThat(context).hasNotFailed().hasBean("paymentsRestClient").hasBean("payments");
                    assertThat(context.getBean("payments")).isInstanceOf(WebClient.class);
                    RestClient payments = context.getBean(InjectsPayments.class).client;
                    assertThat(payments).isSameAs(context.getBean("paymentsRestClient"));

                    assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
                        .isThrownBy(() -> payments.get().uri("/charge").retrieve().toBodilessEntity());
                    assertThat(server.requests()).isEqualTo(2);
                    assertThat(context.getBean(RecordingListener.class).onlyCall().client()).isEqualTo("payments");
                    // the same client name, whichever of the two clients sends: one set of counts for the endpoint
                    context.getBean("payments", WebClient.class).get().uri("/charge").retrieve().toBodilessEntity()
                        .onErrorComplete().block(java.time.Duration.ofSeconds(10));
                    RetryStatistics.Snapshot counts = context.getBean(RetryStatistics.class).snapshot("payments");
                    assertThat(counts.calls().get(StopReason.EXHAUSTED)).isEqualTo(2);
                    assertThat(counts.attempts()).isEqualTo(4);
                });
        }
    }

    @Test
    void withRetryingDisabledTheNamedRestClientStaysAndSendsOnce() {
        try (TestServer server = TestServer.answering(503)) {
            this.runner.withPropertyValues("http.retry.enabled=false", "http.retry.clients.payments.base-url=" + server.url())
                .run((context) -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(RetryClientHttpRequestInterceptor.class)
                        .hasBean("paymentsRestClient");
                    assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
                        .isThrownBy(() -> context.getBean("paymentsRestClient", RestClient.class).get().retrieve().toBodilessEntity());
                    RestClient fromBuilder = context.getBean(RestClient.Builder.class).baseUrl(server.url()).build();
                    assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
                        .isThrownBy(() -> fromBuilder.get().retrieve().toBodilessEntity());
                    assertThat(server.requests()).isEqualTo(2);
                });
        }
    }

    @Test
    void backsOffWithoutBootsRestClientSupport() {
        this.runner.withClassLoader(new FilteredClassLoader(RestClientCustomizer.class))
            .withPropertyValues("http.retry.clients.payments.base-url=http://127.0.0.1:1")
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(RetryClientHttpRequestInterceptor.class)
                .doesNotHaveBean("paymentsRestClient")
                .hasBean("payments"));
    }

    @Test
    void theReactorAndJdkFactoriesStartWithoutAWarning(CapturedOutput output) {
        this.runner.withPropertyValues("spring.http.clients.imperative.factory=jdk").run((context) -> {
            assertThat(context).hasNotFailed();
            context.getBean(RestClient.Builder.class);
        });
        this.runner.run((context) -> assertThat(context).hasNotFailed());
        assertThat(output).doesNotContain("cannot bound per attempt");
    }

    @Test
    void aFactoryThatCannotBeBoundedPerAttemptIsNamedInOneWarning(CapturedOutput output) {
        this.runner.withPropertyValues("spring.http.clients.imperative.factory=simple").run((context) -> {
            assertThat(context).hasNotFailed();
            context.getBean(RestClient.Builder.class);
            context.getBean(RestClient.Builder.class);
        });
        assertThat(output).containsOnlyOnce("cannot bound per attempt")
            .contains("org.springframework.http.client.SimpleClientHttpRequestFactory (from org.springframework.boot.http.client.SimpleClientHttpRequestFactoryBuilder)");
    }

    @Test
    void aServiceProxyBackedByRestClientRetries() {
        try (TestServer server = TestServer.answering(503, 200)) {
            this.runner
                .withConfiguration(AutoConfigurations.of(HttpServiceClientPropertiesAutoConfiguration.class,
                        HttpServiceClientAutoConfiguration.class))
                .withUserConfiguration(GreetingServiceConfiguration.class)
                .withPropertyValues("spring.http.serviceclient.greetings.base-url=" + server.url())
                .run((context) -> {
                    assertThat(context).hasNotFailed().hasSingleBean(GreetingService.class);
                    assertThat(context.getBean(GreetingService.class).greeting()).isEqualTo("response 2");
                    assertThat(server.requests()).isEqualTo(2);
                });
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Recording {

        @Bean
        RecordingListener recordingListener() {
            return new RecordingListener();
        }
    }

    static class InjectsPayments {

        final RestClient client;

        InjectsPayments(@Qualifier("payments") RestClient client) {
            this.client = client;
        }
    }

    interface GreetingService {

        @GetExchange("/greeting")
        String greeting();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportHttpServices(group = "greetings", types = GreetingService.class, clientType = HttpServiceGroup.ClientType.REST_CLIENT)
    static class GreetingServiceConfiguration {
    }

}
