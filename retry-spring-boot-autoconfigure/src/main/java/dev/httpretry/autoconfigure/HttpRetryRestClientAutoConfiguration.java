package dev.httpretry.autoconfigure;

import dev.httpretry.client.RetryWaits;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import dev.httpretry.restclient.RetryClientHttpRequestInterceptor;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer;

/**
 * Auto-configuration of http-retry for {@link RestClient}, when Boot's RestClient support
 * ({@code spring-boot-restclient}, brought by {@code spring-boot-starter-restclient}) is present:
 * every {@code RestClient} built from the auto-configured {@link RestClient.Builder} (including the
 * clients of RestClient-backed HTTP service groups) retries under the top-level policy, and each
 * {@code http.retry.clients.<name>} with a {@code base-url} also becomes a {@code RestClient} bean
 * named {@code <name>RestClient}, qualified {@code <name>}. The clients, their budgets, the waits
 * and the listeners (meters, endpoint) are the ones {@link HttpRetryAutoConfiguration} makes for
 * every client type: a client name is one policy and one budget, whichever client sends the
 * request. Needs neither WebFlux nor Reactor. The request factory Boot builds sends no request again
 * on its own where it can be told not to ({@link ConnectorRetries}); start-up warns where it cannot.
 */
@AutoConfiguration(after = HttpRetryAutoConfiguration.class,
        afterName = "org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration")
@ConditionalOnClass({ RestClient.class, RestClientCustomizer.class })
@Import({ NamedRestClientsRegistrar.class, HttpRetryRestClientAutoConfiguration.Retrying.class,
        ConnectorRetries.RestClientRequestFactories.class })
public final class HttpRetryRestClientAutoConfiguration {

    /** The name of the customizer bean that adds the retry interceptor to every auto-configured builder. */
    public static final String CUSTOMIZER_BEAN_NAME = "retryRestClientCustomizer";

    /** What only exists while retrying is on ({@code http.retry.enabled}, true by default). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = HttpRetryProperties.PREFIX + ".enabled", matchIfMissing = true)
    @ConditionalOnBean(RetryClients.class)
    static class Retrying {

        @Bean
        @ConditionalOnMissingBean
        RetryClientHttpRequestInterceptor retryClientHttpRequestInterceptor(RetryClients clients, RetryWaits waits,
                ObjectProvider<RetryListener> listeners, ObjectProvider<ObservationRegistry> observations) {
            return new RetryClientHttpRequestInterceptor(clients, RetryListener.composite(listeners.orderedStream().toList()))
                .withWaits(waits)
                .withObservationRegistry(observations.getIfAvailable(() -> ObservationRegistry.NOOP));
        }

        /** Each HTTP service group backed by RestClient retries under its own client, with its interfaces' {@code @HttpRetry}. */
        @Bean
        @ConditionalOnBean(ServiceGroups.class)
        RestClientHttpServiceGroupConfigurer retryRestClientServiceGroups(ServiceGroups groups) {
            return new RetryServiceGroupConfigurers.ForRestClient(groups);
        }

        /** Runs last, and puts the interceptor first: every other interceptor then runs once per attempt. */
        @Bean(CUSTOMIZER_BEAN_NAME)
        @Order(Ordered.LOWEST_PRECEDENCE)
        @ConditionalOnMissingBean(name = CUSTOMIZER_BEAN_NAME)
        RestClientCustomizer retryRestClientCustomizer(RetryClientHttpRequestInterceptor interceptor,
                ListableBeanFactory beanFactory) {
            ConnectorCheck.checkRestClient(beanFactory);
            return interceptor::applyTo;
        }
    }
}
