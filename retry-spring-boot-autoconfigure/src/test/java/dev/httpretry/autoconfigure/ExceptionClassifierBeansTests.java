package dev.httpretry.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.httpretry.core.Category;
import dev.httpretry.core.ExceptionClassifier;
import dev.httpretry.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The application's {@link ExceptionClassifier} and {@link ClientExceptionClassifier} beans, asked
 * before the built-in rules, against a real server: an application filter reads each response and
 * fails the attempt with its own exception for the first attempts.
 */
class ExceptionClassifierBeansTests {

    private static final Duration BLOCK = Duration.ofSeconds(10);

    private final TestServer server = new TestServer();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WebClientAutoConfiguration.class, HttpRetryAutoConfiguration.class, HttpRetryWebClientAutoConfiguration.class))
        .withPropertyValues("http.retry.backoff.initial-delay=1ms", "http.retry.backoff.max-delay=5ms",
                "http.retry.clients.payments.base-url=" + this.server.url());

    @AfterEach
    void stop() {
        this.server.close();
    }

    @Test
    void anExceptionUnknownToTheRulesIsNotRetriedByDefault() {
        this.runner.withUserConfiguration(FailingFilter.Transient.class).run((context) -> {
            assertThatThrownBy(() -> get(context)).isInstanceOf(GatewayHiccupException.class);
            assertThat(this.server.requests()).isEqualTo(1);
        });
    }

    @Test
    void aClassifierBeanMakesItRetried() {
        this.runner.withUserConfiguration(FailingFilter.Transient.class, RetryHiccups.class).run((context) -> {
            assertThat(get(context)).isEqualTo("ok");
            assertThat(this.server.requests()).isEqualTo(3);
        });
    }

    @Test
    void anIOExceptionIsRetriedByDefault() {
        this.runner.withUserConfiguration(FailingFilter.Pinning.class).run((context) -> {
            assertThat(get(context)).isEqualTo("ok");
            assertThat(this.server.requests()).isEqualTo(3);
        });
    }

    @Test
    void aClassifierBeanStopsItBeingRetried() {
        this.runner.withUserConfiguration(FailingFilter.Pinning.class, NeverRetryPinning.class).run((context) -> {
            // block() wraps a checked exception
            assertThatThrownBy(() -> get(context)).satisfies((ex) -> assertThat(Exceptions.unwrap(ex)).isInstanceOf(PinningException.class));
            assertThat(this.server.requests()).isEqualTo(1);
        });
    }

    @Test
    void aClientExceptionClassifierAppliesToItsClientOnly() {
        this.runner.withUserConfiguration(FailingFilter.Transient.class, RetryHiccupsForPayments.class).run((context) -> {
            WebClient payments = context.getBean("payments", WebClient.class);
            assertThat(payments.get().uri("/p").retrieve().bodyToMono(String.class).block(BLOCK)).isEqualTo("ok");
            assertThat(this.server.requests()).isEqualTo(3);

            context.getBean(FailingFilter.class).failures.set(2);
            assertThatThrownBy(() -> get(context)).isInstanceOf(GatewayHiccupException.class);
            assertThat(this.server.requests()).isEqualTo(4);
        });
    }

    @Test
    void theFirstClassifierInOrderThatKnowsTheExceptionDecides() {
        this.runner.withUserConfiguration(FailingFilter.Transient.class, RetryHiccups.class, NeverRetryHiccupsFirst.class)
            .run((context) -> {
                assertThatThrownBy(() -> get(context)).isInstanceOf(GatewayHiccupException.class);
                assertThat(this.server.requests()).isEqualTo(1);
            });
    }

    @Test
    void aClientExceptionClassifierForAnUnknownClientStopsStartUp() {
        this.runner.withBean(ClientExceptionClassifier.class, () -> new ClientExceptionClassifier("paymnets", (error) -> null))
            .run((context) -> assertThat(context).hasFailed().getFailure()
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .rootCause().hasMessageContaining("'paymnets'").hasMessageContaining("[default, payments]"));
    }

    private String get(ApplicationContext context) {
        WebClient client = context.getBean(WebClient.Builder.class).baseUrl(this.server.url()).build();
        return client.get().uri("/d").retrieve().bodyToMono(String.class).block(BLOCK);
    }

    /** Not an IOException: unknown to the built-in rules, so not retried unless classified. */
    static class GatewayHiccupException extends RuntimeException {

        GatewayHiccupException() {
            super("the gateway hiccupped");
        }
    }

    /** An IOException: retried by the built-in rules (IO_ERROR) unless classified. */
    static class PinningException extends IOException {

        PinningException() {
            super("the server's certificate is not the pinned one");
        }
    }

    /** An application filter that reads each response and fails the first two attempts with its own exception. */
    abstract static class FailingFilter implements WebClientCustomizer {

        final AtomicInteger failures = new AtomicInteger(2);

        abstract Throwable failure();

        @Override
        public void customize(WebClient.Builder builder) {
            builder.filter((request, next) -> next.exchange(request).flatMap((response) -> {
                if (this.failures.getAndDecrement() > 0) {
                    return response.releaseBody().then(Mono.error(failure()));
                }
                return Mono.just(response);
            }));
        }

        @Configuration(proxyBeanMethods = false)
        static class Transient {

            @Bean
            FailingFilter failingFilter() {
                return new FailingFilter() {
                    @Override
                    Throwable failure() {
                        return new GatewayHiccupException();
                    }
                };
            }
        }

        @Configuration(proxyBeanMethods = false)
        static class Pinning {

            @Bean
            FailingFilter failingFilter() {
                return new FailingFilter() {
                    @Override
                    Throwable failure() {
                        return new PinningException();
                    }
                };
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RetryHiccups {

        @Bean
        @Order(2)
        ExceptionClassifier retryHiccups() {
            return (error) -> (error instanceof GatewayHiccupException) ? Category.CONNECTION_RESET : null;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class NeverRetryHiccupsFirst {

        @Bean
        @Order(1)
        ExceptionClassifier neverRetryHiccups() {
            return (error) -> (error instanceof GatewayHiccupException) ? Category.PERMANENT : null;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class NeverRetryPinning {

        @Bean
        ExceptionClassifier neverRetryPinning() {
            return (error) -> (error instanceof PinningException) ? Category.PERMANENT : null;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RetryHiccupsForPayments {

        @Bean
        ClientExceptionClassifier retryHiccupsForPayments() {
            return new ClientExceptionClassifier("payments",
                    (error) -> (error instanceof GatewayHiccupException) ? Category.CONNECTION_RESET : null);
        }
    }
}
