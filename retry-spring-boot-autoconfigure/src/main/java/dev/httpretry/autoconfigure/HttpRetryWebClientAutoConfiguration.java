package dev.httpretry.autoconfigure;

import java.time.Duration;

import dev.httpretry.client.RetryWaits;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import dev.httpretry.webclient.HashedWheelScheduler;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import io.micrometer.observation.ObservationRegistry;
import reactor.core.scheduler.Scheduler;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.support.WebClientHttpServiceGroupConfigurer;

/**
 * Auto-configuration of http-retry for {@link WebClient}: every {@code WebClient} built from the
 * auto-configured {@link WebClient.Builder} (including the clients of HTTP service groups) retries
 * under the top-level policy, and each {@code http.retry.clients.<name>} with a {@code base-url}
 * becomes a {@code WebClient} bean of that name. {@code http.retry.enabled=false} adds no retrying,
 * but keeps the named clients, each sending its requests once. The connector Boot builds sends no
 * request again on its own where it can be told not to ({@link ConnectorRetries}); start-up warns
 * where it cannot.
 */
@AutoConfiguration(after = { HttpRetryAutoConfiguration.class, WebClientAutoConfiguration.class })
@ConditionalOnClass({ WebClient.class, WebClientCustomizer.class })
@Import({ NamedWebClientsRegistrar.class, HttpRetryWebClientAutoConfiguration.Timer.class,
        HttpRetryWebClientAutoConfiguration.Retrying.class, ConnectorRetries.WebClientConnectors.class })
public final class HttpRetryWebClientAutoConfiguration {

    /** The name of the customizer bean that adds the retry filter to every auto-configured builder. */
    public static final String CUSTOMIZER_BEAN_NAME = "retryWebClientCustomizer";

    /**
     * The name of the scheduler bean that runs the WebClient filter's attempt timeouts and waits: a
     * {@link HashedWheelScheduler} with a 1 ms tick when Netty is on the class path, disposed with
     * the context. Without it the filter falls back to Reactor's parallel scheduler.
     */
    public static final String TIMER_BEAN_NAME = "httpRetryTimer";

    /** The timer wheel, only where Netty is (Reactor Netty, Boot's default connector, brings it). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = HttpRetryProperties.PREFIX + ".enabled", matchIfMissing = true)
    @ConditionalOnClass(name = "io.netty.util.HashedWheelTimer")
    static class Timer {

        @Bean(name = TIMER_BEAN_NAME, destroyMethod = "dispose")
        @ConditionalOnMissingBean(name = TIMER_BEAN_NAME)
        Scheduler httpRetryTimer() {
            return HashedWheelScheduler.create(Duration.ofMillis(HashedWheelScheduler.DEFAULT_TICK_MILLIS));
        }
    }

    /** What only exists while retrying is on. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = HttpRetryProperties.PREFIX + ".enabled", matchIfMissing = true)
    @ConditionalOnBean(RetryClients.class)
    static class Retrying {

        @Bean
        @ConditionalOnMissingBean
        RetryExchangeFilterFunction retryExchangeFilterFunction(RetryClients clients, RetryWaits waits,
                ObjectProvider<RetryListener> listeners, ObjectProvider<ObservationRegistry> observations,
                @Qualifier(TIMER_BEAN_NAME) ObjectProvider<Scheduler> timer) {
            RetryExchangeFilterFunction filter = new RetryExchangeFilterFunction(clients,
                    RetryListener.composite(listeners.orderedStream().toList()))
                .withWaits(waits)
                .withObservationRegistry(observations.getIfAvailable(() -> ObservationRegistry.NOOP));
            Scheduler scheduler = timer.getIfAvailable();
            return (scheduler != null) ? filter.withScheduler(() -> scheduler) : filter;
        }

        /** Each HTTP service group backed by WebClient retries under its own client, with its interfaces' {@code @HttpRetry}. */
        @Bean
        @ConditionalOnBean(ServiceGroups.class)
        WebClientHttpServiceGroupConfigurer retryWebClientServiceGroups(ServiceGroups groups) {
            return new RetryServiceGroupConfigurers.ForWebClient(groups);
        }

        /** Runs last, and puts the filter first: every other filter then runs once per attempt. */
        @Bean(CUSTOMIZER_BEAN_NAME)
        @Order(Ordered.LOWEST_PRECEDENCE)
        @ConditionalOnMissingBean(name = CUSTOMIZER_BEAN_NAME)
        WebClientCustomizer retryWebClientCustomizer(RetryExchangeFilterFunction filter, ListableBeanFactory beanFactory) {
            ConnectorCheck.checkWebClient(beanFactory);
            return filter::applyTo;
        }
    }
}
