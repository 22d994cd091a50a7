package dev.httpretry.test;

import dev.httpretry.autoconfigure.HttpRetryAutoConfiguration;
import dev.httpretry.autoconfigure.HttpRetryProperties;
import dev.httpretry.client.RetryWaits;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The test support, on the test classpath of an application that uses http-retry (and in Boot's
 * client and web test slices): the waits under test ({@code http.retry.testing.skip-waits}), a
 * {@link RetryRecorder} and a {@link FaultInjector} whose faults every auto-configured
 * {@code WebClient.Builder} and {@code RestClient.Builder} carry below the retry layer (named clients
 * and HTTP service groups are built from them).
 */
@AutoConfiguration(before = HttpRetryAutoConfiguration.class)
@EnableConfigurationProperties(HttpRetryProperties.class)
public final class HttpRetryTestAutoConfiguration {

    /** Waits under test: each attempt names its client for the faults, and waits end at once if asked. */
    @Bean
    @ConditionalOnMissingBean
    RetryWaits retryWaits(HttpRetryProperties properties) {
        return RetryWaits.forTests(properties.getTesting().isSkipWaits());
    }

    @Bean
    @ConditionalOnMissingBean
    RetryRecorder retryRecorder() {
        return new RetryRecorder();
    }

    @Bean
    @ConditionalOnMissingBean
    FaultInjector faultInjector() {
        return new FaultInjector();
    }

    /** WebClient's faults: the last filter of every auto-configured builder (the retry filter goes first). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(WebClientCustomizer.class)
    static class ForWebClient {

        @Bean
        @Order(Ordered.LOWEST_PRECEDENCE - 1)
        WebClientCustomizer retryFaultsWebClientCustomizer(FaultInjector faults) {
            FaultFilter filter = new FaultFilter(faults);
            return (builder) -> builder.filters((filters) -> {
                filters.removeIf(FaultFilter.class::isInstance);
                filters.add(filter);
            });
        }
    }

    /** RestClient's faults: the last interceptor of every auto-configured builder (the retry interceptor goes first). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RestClientCustomizer.class)
    static class ForRestClient {

        @Bean
        @Order(Ordered.LOWEST_PRECEDENCE - 1)
        RestClientCustomizer retryFaultsRestClientCustomizer(FaultInjector faults) {
            FaultInterceptor interceptor = new FaultInterceptor(faults);
            return (builder) -> builder.requestInterceptors((interceptors) -> {
                interceptors.removeIf(FaultInterceptor.class::isInstance);
                interceptors.add(interceptor);
            });
        }
    }
}
