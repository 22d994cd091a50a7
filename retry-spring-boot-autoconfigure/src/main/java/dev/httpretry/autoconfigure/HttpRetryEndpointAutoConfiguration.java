package dev.httpretry.autoconfigure;

import dev.httpretry.actuate.RetryEndpoint;
import dev.httpretry.actuate.RetryStatistics;
import dev.httpretry.core.RetryClients;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code retry} actuator endpoint, when actuator is present and the endpoint is available. */
@AutoConfiguration(after = HttpRetryAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean({ RetryClients.class, RetryStatistics.class })
@ConditionalOnAvailableEndpoint(RetryEndpoint.class)
public final class HttpRetryEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RetryEndpoint retryEndpoint(RetryClients clients, RetryStatistics statistics) {
        return new RetryEndpoint(clients, statistics);
    }
}
