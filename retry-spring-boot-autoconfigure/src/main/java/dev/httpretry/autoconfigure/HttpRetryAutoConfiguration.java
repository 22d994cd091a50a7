package dev.httpretry.autoconfigure;

import dev.httpretry.actuate.RetryStatistics;
import dev.httpretry.client.RetryWaits;
import dev.httpretry.core.ExceptionClassifier;
import dev.httpretry.core.MonotonicClock;
import dev.httpretry.core.RetryClients;

import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of what every client type shares, with no condition on any of them: the
 * properties, the retry clients (policies and budgets), the live statistics the {@code retry}
 * endpoint reads, and the waits before a next attempt, which end when the context stops. The
 * WebClient ({@link HttpRetryWebClientAutoConfiguration}) and RestClient
 * ({@link HttpRetryRestClientAutoConfiguration}) auto-configurations build on it; a Spring MVC
 * application with RestClient alone needs neither WebFlux nor Reactor. {@code http.retry.enabled=false}
 * keeps only the properties.
 */
@AutoConfiguration
@EnableConfigurationProperties(HttpRetryProperties.class)
@Import(HttpRetryAutoConfiguration.Retrying.class)
public final class HttpRetryAutoConfiguration {

    private static final Log logger = LogFactory.getLog(HttpRetryAutoConfiguration.class);

    private static final String PREFIX_TESTING = HttpRetryProperties.PREFIX + ".testing.";

    /** What only exists while retrying is on ({@code http.retry.enabled}, true by default). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = HttpRetryProperties.PREFIX + ".enabled", matchIfMissing = true)
    static class Retrying {

        @Bean
        @ConditionalOnMissingBean
        RetryClients retryClients(HttpRetryProperties properties, ObjectProvider<ExceptionClassifier> classifiers,
                Environment environment) {
            // the budgets measure intervals: a wall clock set back or forward must not refill or empty them;
            // the application's classifiers, in their @Order, come before the built-in rules; each HTTP
            // service group configured under spring.http.serviceclient is a client of its own
            return properties.toClients(MonotonicClock.INSTANCE, classifiers.orderedStream().toList(), serviceGroups(environment));
        }

        @Bean
        @ConditionalOnMissingBean
        RetryStatistics retryStatistics() {
            return new RetryStatistics();
        }

        /**
         * The waits before a next attempt, WebClient's and RestClient's, which end when the context
         * stops; the test artifact, when present, makes them first (waits under test).
         */
        @Bean
        @ConditionalOnMissingBean
        RetryWaits retryWaits(HttpRetryProperties properties) {
            if (properties.getTesting().isSkipWaits()) {
                logger.warn(PREFIX_TESTING + "skip-waits=true is ignored: it takes effect in tests that have "
                        + "dev.httpretry:retry-spring-boot-test on their classpath, and every wait lasts as decided");
            }
            return new RetryWaits();
        }

        @Bean
        SmartLifecycle retryWaitsLifecycle(RetryWaits waits) {
            return new WaitsLifecycle(waits);
        }

        /** What the starter does to each HTTP service group, whichever client type backs it. */
        @Bean
        @ConditionalOnClass(name = "org.springframework.web.service.registry.HttpServiceGroup")
        ServiceGroups retryServiceGroups(RetryClients clients) {
            return new ServiceGroups(clients);
        }
    }

    /** The HTTP service groups Boot's {@code spring.http.serviceclient.<group>.*} properties name. */
    static Set<String> serviceGroups(Environment environment) {
        return Binder.get(environment).bind("spring.http.serviceclient", Bindable.mapOf(String.class, Object.class))
            .map(Map::keySet).orElse(Set.of());
    }
}
