package dev.httpretry.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import dev.httpretry.client.RetryRequests;
import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.DelaySource;
import dev.httpretry.core.Jitter;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.core.RetrySettings;
import dev.httpretry.core.StopReason;
import dev.httpretry.testing.RecordingListener;
import dev.httpretry.testing.TestServer;
import dev.httpretry.webclient.HashedWheelScheduler;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import io.netty.util.HashedWheelTimer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The wiring of {@link HttpRetryAutoConfiguration}: property binding and fallback, the filter on the
 * auto-configured {@link WebClient.Builder}, named clients, conditions, user beans, listeners and
 * per-request overrides. Requests go to a real {@link TestServer}.
 */
class HttpRetryAutoConfigurationTests {

    private static final Duration BLOCK = Duration.ofSeconds(10);

    /** Tiny waits, so tests that retry stay fast. */
    private static final String[] FAST = { "http.retry.backoff.initial-delay=1ms", "http.retry.backoff.max-delay=5ms",
            "http.retry.connection-refused-min-delay=0ms" };

    /** The contract's defaults, typed out rather than read from the code under test. */
    private static final Map<String, Object> CONTRACT_DEFAULTS = settings(4, Duration.ofSeconds(1), 2.0,
            Duration.ofSeconds(30), Jitter.FULL, Duration.ofSeconds(10), Duration.ofSeconds(15), true, Duration.ofSeconds(60),
            Set.of(429, 502, 503, 504), 1, Duration.ofSeconds(2), Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"),
            true, 0.1, 10);

    /** Every top-level key at a non-default value, as properties. */
    private static final String[] TOP_LEVEL_PROPERTIES = { "http.retry.max-attempts=7",
            "http.retry.backoff.initial-delay=250ms", "http.retry.backoff.multiplier=1.5",
            "http.retry.backoff.max-delay=3s", "http.retry.backoff.jitter=decorrelated", "http.retry.attempt-timeout=2s",
            "http.retry.deadline=9s", "http.retry.retry-after.enabled=false", "http.retry.retry-after.max-wait=20s",
            "http.retry.statuses=429,503,507", "http.retry.server-error-retries=2",
            "http.retry.connection-refused-min-delay=500ms", "http.retry.methods=GET,post",
            "http.retry.budget.enabled=false", "http.retry.budget.ratio=0.25",
            "http.retry.budget.min-retries-per-second=3" };

    /** {@link #TOP_LEVEL_PROPERTIES} as the policy should hold them. */
    private static final Map<String, Object> TOP_LEVEL_SETTINGS = settings(7, Duration.ofMillis(250), 1.5,
            Duration.ofSeconds(3), Jitter.DECORRELATED, Duration.ofSeconds(2), Duration.ofSeconds(9), false,
            Duration.ofSeconds(20), Set.of(429, 503, 507), 2, Duration.ofMillis(500), Set.of("GET", "POST"), false, 0.25, 3);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WebClientAutoConfiguration.class, HttpRetryAutoConfiguration.class, HttpRetryWebClientAutoConfiguration.class));

    // ---------------------------------------------------------------- binding

    @Test
    void defaultClientHasTheContractDefaults() {
        this.runner.run((context) -> {
            assertThat(context).hasNotFailed().hasSingleBean(HttpRetryProperties.class).hasSingleBean(RetryClients.class);
            RetryClients clients = context.getBean(RetryClients.class);
            assertThat(clients.names()).containsExactly(RetryClients.DEFAULT_CLIENT);
            assertThat(settings(clients.get("default").policy())).isEqualTo(CONTRACT_DEFAULTS);
            assertThat(context.getBean(HttpRetryProperties.class).isEnabled()).isTrue();
        });
    }

    @Test
    void everyKeyBindsAtTheTopLevel() {
        assertEveryValueDiffers(TOP_LEVEL_SETTINGS, CONTRACT_DEFAULTS);
        this.runner.withPropertyValues(TOP_LEVEL_PROPERTIES).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(settings(policy(context, "default"))).isEqualTo(TOP_LEVEL_SETTINGS);
        });
    }

    @Test
    void everyKeyBindsUnderAClient() {
        Map<String, Object> expected = settings(3, Duration.ofMillis(100), 3.0, Duration.ofSeconds(2), Jitter.EQUAL,
                Duration.ofMillis(1500), Duration.ofSeconds(5), true, Duration.ofSeconds(7), Set.of(502, 429), 0,
                Duration.ofMillis(50), Set.of("DELETE", "PATCH"), true, 0.5, 1);
        // each client value must differ from the top-level one it overrides (booleans cannot also differ from the defaults)
        assertEveryValueDiffers(expected, TOP_LEVEL_SETTINGS);
        this.runner.withPropertyValues(TOP_LEVEL_PROPERTIES)
            .withPropertyValues("http.retry.clients.payments.max-attempts=3",
                    "http.retry.clients.payments.backoff.initial-delay=100ms",
                    "http.retry.clients.payments.backoff.multiplier=3.0",
                    "http.retry.clients.payments.backoff.max-delay=2s",
                    "http.retry.clients.payments.backoff.jitter=equal",
                    "http.retry.clients.payments.attempt-timeout=1500ms", "http.retry.clients.payments.deadline=5s",
                    "http.retry.clients.payments.retry-after.enabled=true",
                    "http.retry.clients.payments.retry-after.max-wait=7s", "http.retry.clients.payments.statuses=502,429",
                    "http.retry.clients.payments.server-error-retries=0",
                    "http.retry.clients.payments.connection-refused-min-delay=50ms",
                    "http.retry.clients.payments.methods=delete,PATCH", "http.retry.clients.payments.budget.enabled=true",
                    "http.retry.clients.payments.budget.ratio=0.5",
                    "http.retry.clients.payments.budget.min-retries-per-second=1")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(settings(policy(context, "payments"))).isEqualTo(expected);
                assertThat(settings(policy(context, "default"))).isEqualTo(TOP_LEVEL_SETTINGS);
            });
    }

    @Test
    void hedgingIsSetAtTheTopLevelAndPerClientKeyByKey() {
        this.runner.withPropertyValues("http.retry.hedging.delay=80ms", "http.retry.clients.search.hedging.enabled=true",
                "http.retry.clients.search.hedging.max-hedges=2")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(policy(context, "search").settings().hedging())
                    .isEqualTo(new RetrySettings.HedgingSettings(true, Duration.ofMillis(80), 2));
                assertThat(policy(context, "default").settings().hedging())
                    .isEqualTo(new RetrySettings.HedgingSettings(false, Duration.ofMillis(80), 1));
            });
    }

    /** A named client is built when first injected, so a test slice's mock server binds only the clients a test uses. */
    @Test
    void namedClientsAreBuiltWhenFirstInjected() {
        this.runner.withPropertyValues("http.retry.clients.payments.base-url=http://127.0.0.1:1").run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBeanFactory().getBeanDefinition("payments").isLazyInit()).isTrue();
            assertThat(context.getBeanFactory().containsSingleton("payments")).isFalse();
            assertThat(context.getBean("payments", WebClient.class)).isNotNull();
            assertThat(context.getBeanFactory().containsSingleton("payments")).isTrue();
        });
    }

    @Test
    void theBudgetWindowIsSetAtTheTopLevelAndPerClient() {
        this.runner.withPropertyValues("http.retry.budget.window=30s", "http.retry.clients.search.budget.window=2m",
                "http.retry.clients.payments.base-url=http://127.0.0.1:1")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(policy(context, "default").settings().budget().window()).isEqualTo(Duration.ofSeconds(30));
                assertThat(policy(context, "payments").settings().budget().window()).isEqualTo(Duration.ofSeconds(30));
                assertThat(policy(context, "search").settings().budget().window()).isEqualTo(Duration.ofMinutes(2));
            });
    }

    @Test
    void aClientFallsBackToTheTopLevelKeyByKey() {
        this.runner.withPropertyValues(TOP_LEVEL_PROPERTIES)
            .withPropertyValues("http.retry.clients.payments.max-attempts=9",
                    "http.retry.clients.orders.backoff.multiplier=4", "http.retry.clients.orders.budget.ratio=2",
                    "http.retry.clients.search.base-url=http://127.0.0.1:1")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(RetryClients.class).names()).containsExactly("default", "payments", "orders",
                        "search");
                assertThat(settings(policy(context, "payments")))
                    .isEqualTo(with(TOP_LEVEL_SETTINGS, "max-attempts", 9));
                Map<String, Object> orders = with(TOP_LEVEL_SETTINGS, "backoff.multiplier", 4.0);
                orders.put("budget.ratio", 2.0);
                assertThat(settings(policy(context, "orders"))).isEqualTo(orders);
                assertThat(settings(policy(context, "search"))).isEqualTo(TOP_LEVEL_SETTINGS);
            });
    }

    @Test
    void aClientOfAnUntouchedTopLevelFallsBackToTheCoreDefaults() {
        this.runner
            .withPropertyValues("http.retry.clients.payments.deadline=3s",
                    "http.retry.clients.payments.retry-after.enabled=false",
                    "http.retry.clients.payments.budget.enabled=false")
            .run((context) -> {
                Map<String, Object> expected = with(CONTRACT_DEFAULTS, "deadline", Duration.ofSeconds(3));
                expected.put("retry-after.enabled", false);
                expected.put("budget.enabled", false);
                assertThat(settings(policy(context, "payments"))).isEqualTo(expected);
                assertThat(settings(policy(context, "default"))).isEqualTo(CONTRACT_DEFAULTS);
            });
    }

    // ---------------------------------------------------------------- the auto-configured builder

    @Test
    void builderCarriesTheDefaultClientsFilterAndRetries() {
        try (TestServer server = TestServer.answering(503, 503, 200)) {
            this.runner.withPropertyValues(FAST).run((context) -> {
                WebClient.Builder builder = context.getBean(WebClient.Builder.class);
                List<RetryExchangeFilterFunction> retryFilters = retryFilters(builder);
                assertThat(retryFilters).singleElement()
                    .isSameAs(context.getBean(RetryExchangeFilterFunction.class))
                    .extracting(RetryExchangeFilterFunction::getClientName)
                    .isEqualTo("default");
                String body = builder.baseUrl(server.url()).build().get().uri("/flaky").retrieve()
                    .bodyToMono(String.class).block(BLOCK);
                assertThat(body).isEqualTo("response 3");
                assertThat(server.requests()).isEqualTo(3);
            });
        }
    }

    @Test
    void builderGivesUpAfterMaxAttemptsWithTheLastResponse() {
        try (TestServer server = TestServer.answering(503)) {
            this.runner.withPropertyValues(FAST).withPropertyValues("http.retry.max-attempts=3").run((context) -> {
                WebClient client = context.getBean(WebClient.Builder.class).baseUrl(server.url()).build();
                assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
                    .isThrownBy(() -> client.get().uri("/down").retrieve().toBodilessEntity().block(BLOCK));
                assertThat(server.requests()).isEqualTo(3);
            });
        }
    }

    // ---------------------------------------------------------------- named clients

    @Test
    void aClientWithABaseUrlIsAWebClientBeanWithItsOwnPolicy() {
        try (TestServer server = TestServer.answering(503)) {
            this.runner.withPropertyValues(FAST)
                .withPropertyValues("http.retry.clients.payments.base-url=" + server.url(),
                        "http.retry.clients.payments.max-attempts=2", "http.retry.clients.orders.max-attempts=3")
                .run((context) -> {
                    assertThat(context).hasNotFailed().hasBean("payments").doesNotHaveBean("orders");
                    assertThat(context.getBeansOfType(WebClient.class)).containsOnlyKeys("payments");
                    assertThat(context.getBean(RetryClients.class).names()).contains("orders");
                    WebClient payments = context.getBean("payments", WebClient.class);
                    assertThat(retryFilters(payments.mutate())).singleElement()
                        .extracting(RetryExchangeFilterFunction::getClientName)
                        .isEqualTo("payments");

                    assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
                        .isThrownBy(() -> payments.get().uri("/pay?id=1").retrieve().toBodilessEntity().block(BLOCK));
                    assertThat(server.paths()).containsExactly("/pay?id=1", "/pay?id=1");

                    WebClient plain = context.getBean(WebClient.Builder.class).baseUrl(server.url()).build();
                    assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
                        .isThrownBy(() -> plain.get().uri("/other").retrieve().toBodilessEntity().block(BLOCK));
                    assertThat(server.requests()).isEqualTo(2 + 4);
                });
        }
    }

    @Test
    void aNamedWebClientIsBuiltFromTheAutoConfiguredBuilder() {
        this.runner.withPropertyValues("http.retry.clients.payments.base-url=http://127.0.0.1:1")
            .withBean("markerCustomizer", WebClientCustomizer.class,
                    () -> (builder) -> builder.defaultHeader("X-Marker", "from-customizer"))
            .run((context) -> {
                WebClient payments = context.getBean("payments", WebClient.class);
                List<String> marker = new ArrayList<>();
                payments.mutate().defaultHeaders((headers) -> marker.addAll(headers.getOrEmpty("X-Marker")));
                assertThat(marker).containsExactly("from-customizer");
            });
    }

    @Test
    void aDisabledClientSendsItsRequestsOnce() {
        try (TestServer server = TestServer.answering(503)) {
            this.runner.withPropertyValues(FAST)
                .withPropertyValues("http.retry.clients.payments.base-url=" + server.url(),
                        "http.retry.clients.payments.enabled=false")
                .run((context) -> {
                    assertThat(context.getBean(RetryClients.class).get("payments").enabled()).isFalse();
                    WebClient payments = context.getBean("payments", WebClient.class);
                    assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
                        .isThrownBy(() -> payments.get().uri("/pay").retrieve().toBodilessEntity().block(BLOCK));
                    assertThat(server.requests()).isEqualTo(1);

                    WebClient plain = context.getBean(WebClient.Builder.class).baseUrl(server.url()).build();
                    assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
                        .isThrownBy(() -> plain.get().uri("/other").retrieve().toBodilessEntity().block(BLOCK));
                    assertThat(server.requests()).isEqualTo(1 + 4);
                });
        }
    }

    @Test
    void namedClientsAreInjectedByQualifierSoTheApplicationsOwnWebClientStaysTheOneByType() {
        WebClient own = WebClient.create("http://127.0.0.1:5");
        this.runner.withPropertyValues("http.retry.clients.payments.base-url=http://127.0.0.1:1")
            .withBean("ownWebClient", WebClient.class, () -> own)
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBeanProvider(WebClient.class).getIfUnique()).isSameAs(own);
                assertThat(context.getBean("payments", WebClient.class)).isNotSameAs(own);
            });
    }

    // ---------------------------------------------------------------- user beans win

    @Test
    void aUserRetryClientsBeanIsUsedInstead() {
        RetryPolicy twoAttempts = RetryPolicy.builder().maxAttempts(2).initialDelay(Duration.ZERO).build();
        RetryClients userClients = RetryClients.of(Map.of("default", twoAttempts), Clock.systemUTC());
        try (TestServer server = TestServer.answering(503)) {
            this.runner.withPropertyValues(FAST)
                .withBean(RetryClients.class, () -> userClients)
                .run((context) -> {
                    assertThat(context).hasSingleBean(RetryClients.class);
                    assertThat(context.getBean(RetryClients.class)).isSameAs(userClients);
                    assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
                        .isThrownBy(() -> context.getBean(WebClient.Builder.class).baseUrl(server.url()).build()
                            .get().retrieve().toBodilessEntity().block(BLOCK));
                    assertThat(server.requests()).isEqualTo(2);
                });
        }
    }

    @Test
    void aUserFilterIsUsedInstead() {
        RetryExchangeFilterFunction userFilter = new RetryExchangeFilterFunction(
                RetryClients.of(Map.of("default", RetryPolicy.defaults()), Clock.systemUTC()), RetryListener.NONE);
        this.runner.withBean(RetryExchangeFilterFunction.class, () -> userFilter).run((context) -> {
            assertThat(context).hasSingleBean(RetryExchangeFilterFunction.class);
            assertThat(context.getBean(RetryExchangeFilterFunction.class)).isSameAs(userFilter);
            assertThat(retryFilters(context.getBean(WebClient.Builder.class))).singleElement().isSameAs(userFilter);
        });
    }

    @Test
    void aUserBeanNamedRetryWebClientCustomizerReplacesOurs() {
        WebClientCustomizer userCustomizer = (builder) -> builder.defaultHeader("X-User", "yes");
        this.runner.withBean(HttpRetryWebClientAutoConfiguration.CUSTOMIZER_BEAN_NAME, WebClientCustomizer.class, () -> userCustomizer)
            .run((context) -> {
                assertThat(context).hasNotFailed().hasSingleBean(RetryExchangeFilterFunction.class);
                assertThat(context.getBean(HttpRetryWebClientAutoConfiguration.CUSTOMIZER_BEAN_NAME)).isSameAs(userCustomizer);
                assertThat(retryFilters(context.getBean(WebClient.Builder.class))).isEmpty();
            });
    }

    @Test
    void aUserBeanNamedLikeAClientIsKept() {
        this.runner.withUserConfiguration(UserPaymentsConfiguration.class)
            .withPropertyValues("http.retry.clients.payments.base-url=http://127.0.0.1:1",
                    "http.retry.clients.orders.base-url=http://127.0.0.1:2")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean("payments")).isSameAs(UserPaymentsConfiguration.PAYMENTS);
                assertThat(context.getBeansOfType(WebClient.class)).containsOnlyKeys("payments", "orders");
            });
    }

    @Test
    void aUserBeanRegisteredDirectlyUnderAClientsNameIsKept() {
        WebClient userClient = WebClient.create("http://127.0.0.1:3");
        this.runner.withBean("payments", WebClient.class, () -> userClient)
            .withPropertyValues("http.retry.clients.payments.base-url=http://127.0.0.1:1")
            .run((context) -> assertThat(context.getBean("payments")).isSameAs(userClient));
    }

    // ---------------------------------------------------------------- conditions

    @Test
    void disabledRetriesNothingButKeepsTheNamedClientsSendingOnce() {
        try (TestServer server = TestServer.answering(503)) {
            this.runner.withPropertyValues(FAST)
                .withPropertyValues("http.retry.enabled=false", "http.retry.clients.payments.base-url=" + server.url())
                .run((context) -> {
                    assertThat(context).hasNotFailed().hasSingleBean(WebClient.Builder.class);
                    assertNoRetryingBeans(context);
                    WebClient.Builder builder = context.getBean(WebClient.Builder.class);
                    assertThat(retryFilters(builder)).isEmpty();
                    assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
                        .isThrownBy(() -> builder.baseUrl(server.url()).build().get().retrieve().toBodilessEntity()
                            .block(BLOCK));
                    assertThat(server.requests()).isEqualTo(1);
                    // an operator who flips the switch during an incident must not break an app that injects a named client
                    WebClient payments = context.getBean("payments", WebClient.class);
                    assertThat(retryFilters(payments.mutate())).isEmpty();
                    assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
                        .isThrownBy(() -> payments.get().uri("/named").retrieve().toBodilessEntity().block(BLOCK));
                    assertThat(server.requests()).isEqualTo(2);
                    assertThat(server.paths()).last().isEqualTo("/named");
                });
        }
    }

    /** With the switch off only the properties and the named clients remain: nothing retries. */
    private static void assertNoRetryingBeans(AssertableApplicationContext context) {
        List<String> ours = Arrays.stream(context.getBeanDefinitionNames())
            .filter((name) -> {
                Class<?> type = context.getType(name);
                return type != null && type.getName().startsWith("dev.httpretry.") && type != HttpRetryProperties.class
                        && type != HttpRetryAutoConfiguration.class && type != HttpRetryWebClientAutoConfiguration.class;
            })
            .toList();
        assertThat(ours).isEmpty();
        assertThat(context).doesNotHaveBean(HttpRetryWebClientAutoConfiguration.CUSTOMIZER_BEAN_NAME);
    }

    /** Closing the context ends the calls that wait to retry at once, instead of when their timers fire. */
    @Test
    void closingTheContextEndsPendingWaitsAtOnce() {
        try (TestServer server = new TestServer().otherwise(TestServer.Reply.status(503).header("Retry-After", "50"))) {
            java.util.concurrent.atomic.AtomicReference<Throwable> ended = new java.util.concurrent.atomic.AtomicReference<>();
            this.runner.withPropertyValues(FAST).withPropertyValues("http.retry.deadline=2m").run((context) -> {
                WebClient client = context.getBean(WebClient.Builder.class).baseUrl(server.url()).build();
                client.get().retrieve().toBodilessEntity().subscribe(null, ended::set);
                // the call waits on its 50 s Retry-After
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> context.getBean(dev.httpretry.actuate.RetryStatistics.class).snapshot("default").waits() == 1);
                assertThat(ended.get()).isNull();
                context.close();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> ended.get() != null);
            });
            assertThat(ended.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("shutting down");
            assertThat(server.requests()).isEqualTo(1);
        }
    }

    /** Filters added before or after ours, by customizers or on the builder, all run once per attempt. */
    @Test
    void theRetryFilterIsOutermostWhateverTheCustomizerOrder() {
        try (TestServer server = TestServer.answering(503, 503, 200)) {
            AtomicInteger early = new AtomicInteger();
            AtomicInteger late = new AtomicInteger();
            AtomicInteger onBuilder = new AtomicInteger();
            this.runner.withPropertyValues(FAST)
                .withBean("earlyCustomizer", WebClientCustomizer.class, () -> new OrderedTestCustomizer(Ordered.HIGHEST_PRECEDENCE,
                        (builder) -> builder.filters((filters) -> filters.add(0, counting(early)))))
                .withBean("lateCustomizer", WebClientCustomizer.class,
                        () -> (builder) -> builder.filter(counting(late)))
                .run((context) -> {
                    WebClient client = context.getBean(WebClient.Builder.class).filter(counting(onBuilder))
                        .baseUrl(server.url()).build();
                    client.get().retrieve().toBodilessEntity().block(BLOCK);
                    assertThat(server.requests()).isEqualTo(3);
                    assertThat(List.of(early.get(), late.get(), onBuilder.get())).containsExactly(3, 3, 3);
                });
        }
    }

    private static ExchangeFilterFunction counting(AtomicInteger count) {
        return (request, next) -> {
            count.incrementAndGet();
            return next.exchange(request);
        };
    }

    private record OrderedTestCustomizer(int order, WebClientCustomizer customizer) implements WebClientCustomizer, Ordered {

        @Override
        public void customize(WebClient.Builder builder) {
            this.customizer.customize(builder);
        }

        @Override
        public int getOrder() {
            return this.order;
        }
    }

    @Test
    void enabledExplicitlyIsTheSameAsUnset() {
        this.runner.withPropertyValues("http.retry.enabled=true", "http.retry.clients.payments.base-url=http://127.0.0.1:1")
            .run((context) -> assertThat(context).hasSingleBean(RetryClients.class)
                .hasSingleBean(RetryExchangeFilterFunction.class)
                .hasBean(HttpRetryWebClientAutoConfiguration.CUSTOMIZER_BEAN_NAME)
                .hasBean("payments"));
    }

    @Test
    void withoutWebFluxNoWebClientRetryingIsRegistered() {
        this.runner.withClassLoader(new FilteredClassLoader(WebClient.class))
            .withPropertyValues("http.retry.clients.payments.base-url=http://127.0.0.1:1")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertNoHttpRetryBeans(context);
            });
    }

    @Test
    void withoutBootsWebClientSupportNoWebClientRetryingIsRegistered() {
        this.runner.withClassLoader(new FilteredClassLoader(WebClientCustomizer.class))
            .withPropertyValues("http.retry.clients.payments.base-url=http://127.0.0.1:1")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertNoHttpRetryBeans(context);
            });
    }

    @Test
    void theFiltersTimersRunOnATimerWheelThatEndsWithTheContext() {
        HashedWheelScheduler[] timer = new HashedWheelScheduler[1];
        this.runner.run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context).getBean(HttpRetryWebClientAutoConfiguration.TIMER_BEAN_NAME).isInstanceOf(HashedWheelScheduler.class);
            timer[0] = (HashedWheelScheduler) context.getBean(HttpRetryWebClientAutoConfiguration.TIMER_BEAN_NAME);
            assertThat(timer[0].isDisposed()).isFalse();
        });
        assertThat(timer[0].isDisposed()).isTrue();
    }

    @Test
    void withoutNettysTimerTheFilterRetriesOnReactorsScheduler() {
        try (TestServer server = TestServer.answering(503, 200)) {
            this.runner.withClassLoader(new FilteredClassLoader(HashedWheelTimer.class))
                .withPropertyValues(FAST)
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(HttpRetryWebClientAutoConfiguration.TIMER_BEAN_NAME);
                    WebClient client = context.getBean(WebClient.Builder.class).baseUrl(server.url()).build();
                    assertThat(client.get().retrieve().toBodilessEntity().block(BLOCK).getStatusCode().value()).isEqualTo(200);
                });
        }
    }

    // ---------------------------------------------------------------- listeners

    @Test
    void retryListenerBeansAreToldOfAttemptsWaitsAndTheEndOfTheCall() {
        RecordingListener first = new RecordingListener();
        RecordingListener second = new RecordingListener();
        try (TestServer server = TestServer.answering(503, 200)) {
            this.runner.withPropertyValues(FAST)
                .withBean("firstListener", RetryListener.class, () -> first)
                .withBean("secondListener", RetryListener.class, () -> second)
                .run((context) -> {
                    context.getBean(WebClient.Builder.class).baseUrl(server.url()).build().get().retrieve()
                        .toBodilessEntity().block(BLOCK);
                    for (RecordingListener listener : List.of(first, second)) {
                        assertThat(listener.attempts).extracting(AttemptEvent::client, AttemptEvent::attempt,
                                (event) -> event.status().getAsInt(), AttemptEvent::retried)
                            .containsExactly(tuple("default", 1, 503, true),
                                    tuple("default", 2, 200, false));
                        assertThat(listener.backoffs).singleElement().satisfies((event) -> {
                            assertThat(event.client()).isEqualTo("default");
                            assertThat(event.method()).isEqualTo("GET");
                            assertThat(event.attempt()).isEqualTo(1);
                            assertThat(event.source()).isEqualTo(DelaySource.BACKOFF);
                            assertThat(event.delay()).isBetween(Duration.ZERO, Duration.ofMillis(5));
                        });
                        assertThat(listener.calls).singleElement().satisfies((event) -> {
                            assertThat(event.client()).isEqualTo("default");
                            assertThat(event.attempts()).isEqualTo(2);
                            assertThat(event.reason()).isEqualTo(StopReason.NONE);
                            assertThat(event.success()).isTrue();
                        });
                    }
                });
        }
    }

    // ---------------------------------------------------------------- per-request override

    @Test
    void noRetrySendsARequestOnce() {
        try (TestServer server = TestServer.answering(503)) {
            this.runner.withPropertyValues(FAST).run((context) -> {
                WebClient client = context.getBean(WebClient.Builder.class).baseUrl(server.url()).build();
                assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
                    .isThrownBy(() -> client.get().attributes(RetryRequests.noRetry()).retrieve().toBodilessEntity()
                        .block(BLOCK));
                assertThat(server.requests()).isEqualTo(1);
            });
        }
    }

    @Test
    void aRequestCanPickANamedClientsPolicy() {
        RecordingListener listener = new RecordingListener();
        try (TestServer server = TestServer.answering(503)) {
            this.runner.withPropertyValues(FAST)
                .withPropertyValues("http.retry.clients.payments.max-attempts=2")
                .withBean(RetryListener.class, () -> listener)
                .run((context) -> {
                    WebClient client = context.getBean(WebClient.Builder.class).baseUrl(server.url()).build();
                    assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
                        .isThrownBy(() -> client.get().attributes(RetryRequests.client("payments")).retrieve()
                            .toBodilessEntity().block(BLOCK));
                    assertThat(server.requests()).isEqualTo(2);
                    assertThat(listener.calls).singleElement().extracting(CallEvent::client).isEqualTo("payments");

                    assertThatExceptionOfType(WebClientResponseException.ServiceUnavailable.class)
                        .isThrownBy(() -> client.get().retrieve().toBodilessEntity().block(BLOCK));
                    assertThat(server.requests()).isEqualTo(2 + 4);
                });
        }
    }

    @Test
    void anUnknownClientNameFailsTheCall() {
        try (TestServer server = TestServer.answering(200)) {
            this.runner.withPropertyValues("http.retry.clients.payments.max-attempts=2").run((context) -> {
                WebClient client = context.getBean(WebClient.Builder.class).baseUrl(server.url()).build();
                assertThatExceptionOfType(IllegalArgumentException.class)
                    .isThrownBy(() -> client.get().attributes(RetryRequests.client("paymnets")).retrieve()
                        .toBodilessEntity().block(BLOCK))
                    .withMessageContaining("'paymnets'")
                    .withMessageContaining("[default, payments]");
                assertThat(server.requests()).isZero();
            });
        }
    }

    // ---------------------------------------------------------------- helpers

    private static RetryPolicy policy(AssertableApplicationContext context, String client) {
        return context.getBean(RetryClients.class).get(client).policy();
    }

    private static List<RetryExchangeFilterFunction> retryFilters(WebClient.Builder builder) {
        List<ExchangeFilterFunction> filters = new ArrayList<>();
        builder.filters(filters::addAll);
        return filters.stream()
            .filter(RetryExchangeFilterFunction.class::isInstance)
            .map(RetryExchangeFilterFunction.class::cast)
            .toList();
    }

    /** No bean of a dev.httpretry type, no retry customizer and no named WebClient. */
    /** Nothing of WebClient's is registered; what every client type shares stays, for RestClient. */
    private static void assertNoHttpRetryBeans(AssertableApplicationContext context) {
        List<String> ours = Arrays.stream(context.getBeanDefinitionNames())
            .filter((name) -> {
                Class<?> type = context.getType(name);
                return type != null && (type.getName().startsWith("dev.httpretry.webclient.")
                        || type == HttpRetryWebClientAutoConfiguration.class);
            })
            .toList();
        assertThat(ours).isEmpty();
        assertThat(context).doesNotHaveBean(HttpRetryWebClientAutoConfiguration.CUSTOMIZER_BEAN_NAME).doesNotHaveBean("payments")
            .doesNotHaveBean(HttpRetryWebClientAutoConfiguration.TIMER_BEAN_NAME)
            .hasSingleBean(dev.httpretry.core.RetryClients.class).hasSingleBean(dev.httpretry.client.RetryWaits.class);
    }

    /** Every effective setting of a policy, keyed by its property name under {@code http.retry}. */
    static Map<String, Object> settings(RetryPolicy policy) {
        return settings(policy.settings().maxAttempts(), policy.settings().backoff().initialDelay(), policy.settings().backoff().multiplier(),
                policy.settings().backoff().maxDelay(), policy.settings().backoff().jitter(), policy.settings().attemptTimeout(), policy.settings().deadline(),
                policy.settings().retryAfter().enabled(), policy.settings().retryAfter().maxWait(), policy.settings().statuses(), policy.settings().serverErrorRetries(),
                policy.settings().connectionRefusedMinDelay(), policy.settings().methods(), policy.settings().budget().enabled(), policy.settings().budget().ratio(),
                policy.settings().budget().minRetriesPerSecond());
    }

    private static Map<String, Object> settings(int maxAttempts, Duration initialDelay, double multiplier,
            Duration maxDelay, Jitter jitter, Duration attemptTimeout, Duration deadline, boolean retryAfterEnabled,
            Duration retryAfterMaxWait, Set<Integer> statuses, int serverErrorRetries, Duration connectionRefusedMinDelay,
            Set<String> methods, boolean budgetEnabled, double budgetRatio, int budgetMinRetriesPerSecond) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("max-attempts", maxAttempts);
        settings.put("backoff.initial-delay", initialDelay);
        settings.put("backoff.multiplier", multiplier);
        settings.put("backoff.max-delay", maxDelay);
        settings.put("backoff.jitter", jitter);
        settings.put("attempt-timeout", attemptTimeout);
        settings.put("deadline", deadline);
        settings.put("retry-after.enabled", retryAfterEnabled);
        settings.put("retry-after.max-wait", retryAfterMaxWait);
        settings.put("statuses", Set.copyOf(statuses));
        settings.put("server-error-retries", serverErrorRetries);
        settings.put("connection-refused-min-delay", connectionRefusedMinDelay);
        settings.put("methods", Set.copyOf(methods));
        settings.put("budget.enabled", budgetEnabled);
        settings.put("budget.ratio", budgetRatio);
        settings.put("budget.min-retries-per-second", budgetMinRetriesPerSecond);
        return settings;
    }

    private static Map<String, Object> with(Map<String, Object> settings, String key, Object value) {
        assertThat(settings).containsKey(key);
        Map<String, Object> copy = new LinkedHashMap<>(settings);
        copy.put(key, value);
        return copy;
    }

    /** Guards a test's own data: a value equal to the one it should override would prove nothing. */
    private static void assertEveryValueDiffers(Map<String, Object> settings, Map<String, Object> others) {
        assertThat(settings).hasSameSizeAs(others).containsOnlyKeys(others.keySet());
        settings.forEach((key, value) -> assertThat(value).as(key).isNotEqualTo(others.get(key)));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserPaymentsConfiguration {

        static final WebClient PAYMENTS = WebClient.create("http://127.0.0.1:4");

        @Bean
        WebClient payments() {
            return PAYMENTS;
        }
    }
}
