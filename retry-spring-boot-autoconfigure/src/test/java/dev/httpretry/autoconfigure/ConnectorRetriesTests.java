package dev.httpretry.autoconfigure;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wiring of {@link ConnectorRetries} and {@link ConnectorCheck}: Boot's builder customizers that
 * turn Apache HttpClient 5's own retries off, on only while retrying is, absent with their connector,
 * and the builders an application defines itself left alone. Reactor Netty gets none: its own retry,
 * which sends again only a request of which nothing was written, stays on. What the customizers do to requests, each
 * connector's tests show ({@code WebClientConnectorResendTests}, {@code RestClientConnectorResendTests}).
 */
@ExtendWith(OutputCaptureExtension.class)
class ConnectorRetriesTests {

    private static final String[] CUSTOMIZERS = { "httpRetryHttpComponentsConnectorRetriesOff", "httpRetryHttpComponentsRequestFactoryRetriesOff" };

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(HttpClientAutoConfiguration.class, ReactiveHttpClientAutoConfiguration.class,
                ImperativeHttpClientAutoConfiguration.class, WebClientAutoConfiguration.class, RestClientAutoConfiguration.class,
                HttpRetryAutoConfiguration.class, HttpRetryWebClientAutoConfiguration.class, HttpRetryRestClientAutoConfiguration.class));

    @Test
    void bootsBuildersOfApacheHttpClientAreCustomizedAndReactorNettyKeepsItsRetry() {
        this.runner.run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(ours(context)).containsExactlyInAnyOrder(CUSTOMIZERS);
        });
    }

    @Test
    void withRetryingDisabledTheConnectorsKeepTheirOwnRetries() {
        this.runner.withPropertyValues("http.retry.enabled=false").run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(ours(context)).isEmpty();
        });
    }

    @Test
    void aConnectorThatIsNotThereGetsNoCustomizer() {
        this.runner.withClassLoader(new FilteredClassLoader("org.apache.hc.")).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(ours(context)).isEmpty();
            context.getBean(RestClient.Builder.class).build();
        });
        this.runner.withClassLoader(new FilteredClassLoader("reactor.netty.")).run((context) -> {
            assertThat(context).hasNotFailed().hasBean("httpRetryHttpComponentsRequestFactoryRetriesOff");
            context.getBean(RestClient.Builder.class).build();
        });
    }

    @Test
    void eachCustomizerIsForTheBuilderOfItsOwnClient() {
        // Boot calls a builder customizer only for a builder of the type its class declares
        this.runner.withPropertyValues("spring.http.clients.reactive.connector=jetty", "spring.http.clients.imperative.factory=jetty")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                context.getBean(WebClient.Builder.class).build();
                context.getBean(RestClient.Builder.class).build();
            });
    }

    @Test
    void buildersTheApplicationDefinesAreLeftAsTheyAre() {
        ClientHttpConnectorBuilder<?> connector = ClientHttpConnectorBuilder.reactor();
        ClientHttpRequestFactoryBuilder<?> requestFactory = ClientHttpRequestFactoryBuilder.httpComponents();
        this.runner.withBean(ClientHttpConnectorBuilder.class, () -> connector)
            .withBean(ClientHttpRequestFactoryBuilder.class, () -> requestFactory)
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(ClientHttpConnectorBuilder.class)).isSameAs(connector);
                assertThat(context.getBean(ClientHttpRequestFactoryBuilder.class)).isSameAs(requestFactory);
            });
    }

    /** The builder customizers the starter defined (Boot has some of its own). */
    private static List<String> ours(ApplicationContext context) {
        return Stream.concat(context.getBeansOfType(ClientHttpConnectorBuilderCustomizer.class).keySet().stream(),
                context.getBeansOfType(ClientHttpRequestFactoryBuilderCustomizer.class).keySet().stream())
            .filter((name) -> name.startsWith("httpRetry"))
            .toList();
    }

    @Test
    void theFactoryBootDetectsWithoutABuilderBeanIsCheckedToo(CapturedOutput output) {
        // as in a reactive web application, where Boot defines no ClientHttpRequestFactoryBuilder for RestClient
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RestClientAutoConfiguration.class, HttpRetryAutoConfiguration.class,
                    HttpRetryRestClientAutoConfiguration.class))
            .withClassLoader(new FilteredClassLoader("org.apache.hc.", "org.eclipse.jetty.", "reactor.netty."))
            .run((context) -> {
                assertThat(context).hasNotFailed().doesNotHaveBean(ClientHttpRequestFactoryBuilder.class);
                context.getBean(RestClient.Builder.class);
            });
        assertThat(output).containsOnlyOnce("a second time itself")
            .contains("RestClient requests are made with org.springframework.http.client.JdkClientHttpRequestFactory");
    }
}
