package com.example.orders;

import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.RetryListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class RetryAuditConfiguration {

    private static final Logger log = LoggerFactory.getLogger("com.example.orders.retries");

    @Bean
    RetryListener retryAudit() {
        return new RetryListener() {

            @Override
            public void onAttempt(AttemptEvent event) {
                if (event.retried()) {
                    log.info("{} {} attempt {} retried: {}", event.client(), event.method(), event.attempt(),
                            event.status().isPresent() ? "status " + event.status().getAsInt() : event.error());
                }
            }

            @Override
            public void onCallEnd(CallEvent event) {
                if (!event.success()) {
                    log.warn("{} {} failed after {} attempts: {}", event.client(), event.method(), event.attempts(),
                            event.reason().tagValue());
                }
            }
        };
    }
}
