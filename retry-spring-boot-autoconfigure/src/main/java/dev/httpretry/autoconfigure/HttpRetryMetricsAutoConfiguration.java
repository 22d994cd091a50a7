package dev.httpretry.autoconfigure;

import dev.httpretry.core.RetryClients;
import dev.httpretry.micrometer.RetryMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Records http-retry's meters when a {@link MeterRegistry} bean exists (after Boot's metrics
 * auto-configuration). Without Micrometer on the classpath this does nothing.
 */
@AutoConfiguration(after = { HttpRetryAutoConfiguration.class, MetricsAutoConfiguration.class,
        CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnClass({ MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBean({ MeterRegistry.class, RetryClients.class })
public final class HttpRetryMetricsAutoConfiguration {

    /** Descriptions for the meters derived from each attempt's observation. */
    @Bean
    static MeterFilter retryMeterDescriptions() {
        return RetryMetrics.descriptions();
    }

    @Bean
    @ConditionalOnMissingBean
    RetryMetrics retryMetrics(MeterRegistry registry, RetryClients clients) {
        return new RetryMetrics(registry, clients);
    }
}
