package dev.httpretry.autoconfigure;

import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.HttpComponentsClientHttpConnectorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Turns off the retries that an HTTP client under {@code WebClient} or {@code RestClient} makes on
 * its own, below the starter, where they would be requests that no attempt, budget or meter counts:
 * so that each attempt puts at most one request on the wire.
 *
 * <ul>
 * <li>Apache HttpClient 5's default retry strategy sends a request again after a {@code 429} or
 * {@code 503} and after some I/O failures: {@code disableAutomaticRetries()}, on the async client
 * under {@code WebClient} and on the classic one under {@code RestClient}.</li>
 * <li>Reactor Netty's own retry is left on: it sends a request again only when nothing of it was
 * written (its connection was reset, or found closed, before the request's headers went out; once
 * they have, it turns its retry off for that request), so its re-send is the first of that request
 * to reach the server, and a {@code POST} on a pooled connection the server had reset goes through
 * as it does without the starter. A pooled connection that closes before anything was written and
 * that Reactor Netty does not send again the starter retries itself, whatever the method
 * ({@code Category.CONNECTION_CLOSED_BEFORE_SEND}).</li>
 * </ul>
 *
 * <p>Each is a customizer of the builder Spring Boot auto-configures ({@code ClientHttpConnectorBuilder}
 * for {@code WebClient}, {@code ClientHttpRequestFactoryBuilder} for {@code RestClient}), applied
 * only when Boot's builder is of that client, and first, so that an application's own builder
 * customizer runs after it. A builder, connector or request factory bean the application defines
 * itself is its choice and is left as it is. The JDK {@code HttpClient}, which sends a {@code GET}
 * again when its connection closes before the response, has no setting for it:
 * {@link ConnectorCheck} warns at start-up instead. Jetty's client sends nothing again that may have
 * been written. Imported by {@link HttpRetryWebClientAutoConfiguration} and
 * {@link HttpRetryRestClientAutoConfiguration} while {@code http.retry.enabled} is true.
 */
final class ConnectorRetries {

    private ConnectorRetries() {
    }

    /** The connectors under {@code WebClient}, as Boot builds them. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = HttpRetryProperties.PREFIX + ".enabled", matchIfMissing = true)
    @ConditionalOnClass(ClientHttpConnectorBuilderCustomizer.class)
    @Import(HttpComponentsConnector.class)
    static class WebClientConnectors {
    }

    /** The request factories under {@code RestClient}, as Boot builds them. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = HttpRetryProperties.PREFIX + ".enabled", matchIfMissing = true)
    @ConditionalOnClass(ClientHttpRequestFactoryBuilderCustomizer.class)
    @Import(HttpComponentsRequestFactory.class)
    static class RestClientRequestFactories {
    }

    /** Apache HttpClient 5 (async) under {@code WebClient}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder")
    static class HttpComponentsConnector {

        /** First of the customizers, so that an application's own comes after it. */
        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        ClientHttpConnectorBuilderCustomizer<HttpComponentsClientHttpConnectorBuilder> httpRetryHttpComponentsConnectorRetriesOff() {
            return new HttpComponentsConnectorRetriesOff();
        }
    }

    /** Apache HttpClient 5 (classic) under {@code RestClient}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.apache.hc.client5.http.impl.classic.HttpClientBuilder")
    static class HttpComponentsRequestFactory {

        /** First of the customizers, so that an application's own comes after it. */
        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        ClientHttpRequestFactoryBuilderCustomizer<HttpComponentsClientHttpRequestFactoryBuilder> httpRetryHttpComponentsRequestFactoryRetriesOff() {
            return new HttpComponentsRequestFactoryRetriesOff();
        }
    }

    /*
     * Classes rather than lambdas: Boot calls a builder customizer only when the builder is of the
     * type its class declares, and a lambda declares none.
     */

    /** {@code disableAutomaticRetries()} on the async Apache HttpClient 5 under {@code WebClient}. */
    static final class HttpComponentsConnectorRetriesOff
            implements ClientHttpConnectorBuilderCustomizer<HttpComponentsClientHttpConnectorBuilder> {

        @Override
        public HttpComponentsClientHttpConnectorBuilder customize(HttpComponentsClientHttpConnectorBuilder builder) {
            return builder.withHttpClientCustomizer(HttpAsyncClientBuilder::disableAutomaticRetries);
        }
    }

    /** {@code disableAutomaticRetries()} on the classic Apache HttpClient 5 under {@code RestClient}. */
    static final class HttpComponentsRequestFactoryRetriesOff
            implements ClientHttpRequestFactoryBuilderCustomizer<HttpComponentsClientHttpRequestFactoryBuilder> {

        @Override
        public HttpComponentsClientHttpRequestFactoryBuilder customize(HttpComponentsClientHttpRequestFactoryBuilder builder) {
            return builder.withHttpClientCustomizer(HttpClientBuilder::disableAutomaticRetries);
        }
    }
}
