package com.example.orders;

import javax.net.ssl.SSLHandshakeException;

import dev.httpretry.autoconfigure.ClientExceptionClassifier;
import dev.httpretry.core.Category;
import dev.httpretry.core.ExceptionClassifier;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

@Configuration(proxyBeanMethods = false)
class RetryClassification {

    /** Thrown by our gateway filter when the gateway hiccups: safe to send again, like a reset connection. */
    static class GatewayHiccupException extends RuntimeException {
    }

    /** Every client: also retry this one. */
    @Bean
    @Order(1)
    ExceptionClassifier retryGatewayHiccups() {
        return (error) -> (error instanceof GatewayHiccupException) ? Category.CONNECTION_RESET : null;
    }

    /** Only the payments client: never retry a failed TLS handshake (it is already not retried; shown for the form). */
    @Bean
    @Order(2)
    ClientExceptionClassifier paymentsTls() {
        return new ClientExceptionClassifier("payments",
                (error) -> (error instanceof SSLHandshakeException) ? Category.PERMANENT : null);
    }
}
