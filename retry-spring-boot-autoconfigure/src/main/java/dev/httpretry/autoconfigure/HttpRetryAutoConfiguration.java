package dev.httpretry.autoconfigure;

import dev.httpretry.core.MonotonicClock;
import dev.httpretry.core.RetryListener;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Auto-configuration of http-retry: every {@link WebClient} built from the auto-configured
 * {@link WebClient.Builder} (including the clients of HTTP service groups) retries under the
 * top-level policy, and each {@code http.retry.clients.<name>} with a {@code base-url} becomes a
 * {@code WebClient} bean of that name. {@code http.retry.enabled=false} registers nothing.
 */
@AutoConfiguration(after = WebClientAutoConfiguration.class)
@ConditionalOnClass({ WebClient.class, WebClientCustomizer.class })
@ConditionalOnBooleanProperty(name = HttpRetryProperties.PREFIX + ".enabled", matchIfMissing = true)
@EnableConfigurationProperties(HttpRetryProperties.class)
@Import(NamedWebClientsRegistrar.class)
public final class HttpRetryAutoConfiguration {

    /** The name of the customizer bean that adds the retry filter to every auto-configured builder. */
    public static final String CUSTOMIZER_BEAN_NAME = "retryWebClientCustomizer";

    @Bean
    @ConditionalOnMissingBean
    RetryClients retryClients(HttpRetryProperties properties) {
        // the budgets measure intervals: a wall clock set back or forward must not refill or empty them
        return RetryClients.from(properties, MonotonicClock.INSTANCE);
    }

    @Bean
    @ConditionalOnMissingBean
    RetryStatistics retryStatistics() {
        return new RetryStatistics();
    }

    @Bean
    @ConditionalOnMissingBean
    RetryExchangeFilterFunction retryExchangeFilterFunction(RetryClients clients, ObjectProvider<RetryListener> listeners) {
        return new RetryExchangeFilterFunction(clients, RetryListener.composite(listeners.orderedStream().toList()));
    }

    @Bean(CUSTOMIZER_BEAN_NAME)
    @ConditionalOnMissingBean(name = CUSTOMIZER_BEAN_NAME)
    WebClientCustomizer retryWebClientCustomizer(RetryExchangeFilterFunction filter) {
        return filter::applyTo;
    }
}
