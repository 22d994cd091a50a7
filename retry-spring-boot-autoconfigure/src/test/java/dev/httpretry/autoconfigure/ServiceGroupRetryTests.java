package dev.httpretry.autoconfigure;

import java.time.Duration;

import dev.httpretry.annotation.HttpRetry;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.StopReason;
import dev.httpretry.micrometer.RetryMetrics;
import dev.httpretry.testing.RecordingListener;
import dev.httpretry.testing.TestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientPropertiesAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.service.HttpServiceClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.boot.webclient.autoconfigure.service.ReactiveHttpServiceClientAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.resilience.annotation.Retryable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.PostExchange;
import org.springframework.web.service.registry.HttpServiceGroup;
import org.springframework.web.service.registry.ImportHttpServices;

import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * HTTP service groups of both client types against a real server: a group {@code G} retries under
 * {@code http.retry.clients.G} (policy, budgets, client name in meters and the endpoint), a group named
 * only by Boot's {@code spring.http.serviceclient.G.*} gets a client of its own with the top-level
 * policy, {@code @HttpRetry} on an interface or a method changes its calls, a bad one stops start-up,
 * and a method Spring's {@code @Retryable} retries too gets one warning with the product of the limits.
 */
@ExtendWith(OutputCaptureExtension.class)
class ServiceGroupRetryTests {

    private final TestServer server = TestServer.answering(503);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(HttpServiceClientPropertiesAutoConfiguration.class,
                ImperativeHttpClientAutoConfiguration.class, RestClientAutoConfiguration.class, HttpServiceClientAutoConfiguration.class,
                WebClientAutoConfiguration.class, ReactiveHttpServiceClientAutoConfiguration.class, HttpRetryAutoConfiguration.class,
                HttpRetryWebClientAutoConfiguration.class, HttpRetryRestClientAutoConfiguration.class,
                HttpRetryMetricsAutoConfiguration.class))
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withBean(RecordingListener.class)
        .withUserConfiguration(Groups.class)
        .withPropertyValues("http.retry.backoff.initial-delay=1ms", "http.retry.backoff.max-delay=2ms",
                "spring.http.clients.imperative.factory=reactor",
                "spring.http.serviceclient.inventory.base-url=" + this.server.url(),
                "spring.http.serviceclient.stock.base-url=" + this.server.url(),
                "spring.http.serviceclient.orders.base-url=" + this.server.url(),
                "http.retry.clients.inventory.max-attempts=2", "http.retry.clients.stock.max-attempts=3",
                "http.retry.clients.payments.max-attempts=5");

    @AfterEach
    void stop() {
        this.server.close();
    }

    @Test
    void aRestClientGroupRetriesUnderItsOwnClient() {
        this.runner.run((context) -> {
            assertThat(context).hasNotFailed();
            failsAfter(() -> context.getBean(Inventory.class).item("1"), 2);
            CallEvent call = context.getBean(RecordingListener.class).onlyCall();
            assertThat(call.client()).isEqualTo("inventory");
            assertThat(context.getBean(MeterRegistry.class).get(RetryMetrics.CALLS).tag("client", "inventory").counter().count())
                .isEqualTo(1.0);
        });
    }

    @Test
    void aWebClientGroupRetriesUnderItsOwnClient() {
        this.runner.run((context) -> {
            failsAfter(() -> context.getBean(Stock.class).level("1").block(Duration.ofSeconds(10)), 3);
            assertThat(context.getBean(RecordingListener.class).onlyCall().client()).isEqualTo("stock");
        });
    }

    @Test
    void aGroupNamedOnlyByBootsPropertiesHasAClientOfItsOwnWithTheTopLevelPolicy() {
        this.runner.run((context) -> {
            assertThat(context.getBean(RetryClients.class).names()).contains("inventory", "stock", "orders", "payments");
            failsAfter(() -> context.getBean(Orders.class).order("1"), 4);
            assertThat(context.getBean(RecordingListener.class).onlyCall().client()).isEqualTo("orders");
        });
    }

    @Test
    void httpRetryOnAnInterfaceOrAMethodChangesItsCalls() {
        this.runner.run((context) -> {
            Orders orders = context.getBean(Orders.class);
            RecordingListener listener = context.getBean(RecordingListener.class);
            failsAfter(() -> orders.place("order"), 2);
            assertThat(listener.calls).last().satisfies((call) -> assertThat(call.reason()).isEqualTo(StopReason.EXHAUSTED));
            failsAfter(() -> orders.audit("event"), 1);
            failsAfter(() -> orders.charge("1"), 5);
            assertThat(listener.calls).last().satisfies((call) -> assertThat(call.client()).isEqualTo("payments"));
            failsAfter(() -> orders.unsafe("order"), 1);
            assertThat(listener.calls).last().satisfies((call) -> assertThat(call.reason()).isEqualTo(StopReason.UNSAFE_METHOD));
        });
    }

    @Test
    void aBadHttpRetryStopsStartUpNamingTheMethod() {
        this.runner.withUserConfiguration(BadGroup.class).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessage("Invalid @HttpRetry(client = \"nope\") on "
                    + Bad.class.getName() + ".item(): must name a configured client, one of [default, inventory, stock, payments, orders]");
        });
    }

    @Test
    void aMethodThatSpringsRetryableRetriesTooGetsOneWarning(CapturedOutput output) {
        this.runner.run((context) -> {
            assertThat(context).hasNotFailed();
            context.getBean(Inventory.class);
        });
        String warning = Inventory.class.getName() + ".twice() is @Retryable (up to 4 attempts) and its calls go through http-retry's"
                + " client 'inventory' (up to 2 attempts each): a failing call can send up to 8 requests";
        assertThat(output.getOut()).contains(warning);
        assertThat(output.getOut().split(java.util.regex.Pattern.quote(warning), -1)).hasSize(2);
        assertThat(output.getOut()).doesNotContain(Inventory.class.getName() + ".item() is @Retryable");
    }

    private void failsAfter(Runnable call, int requests) {
        int before = this.server.requests();
        assertThatThrownBy(call::run).isNotNull();
        assertThat(this.server.requests() - before).isEqualTo(requests);
    }

    interface Inventory {

        @GetExchange("/items/{id}")
        String item(@org.springframework.web.bind.annotation.PathVariable String id);

        @Retryable
        @GetExchange("/twice")
        String twice();
    }

    interface Stock {

        @GetExchange("/stock/{id}")
        Mono<String> level(@org.springframework.web.bind.annotation.PathVariable String id);
    }

    @HttpRetry(maxAttempts = 2)
    interface Orders {

        @HttpRetry
        @GetExchange("/orders/{id}")
        String order(@org.springframework.web.bind.annotation.PathVariable String id);

        @HttpRetry(idempotent = true, maxAttempts = 2)
        @PostExchange("/orders")
        String place(@RequestBody String order);

        @HttpRetry(enabled = false)
        @PostExchange("/audit")
        String audit(@RequestBody String event);

        @HttpRetry(client = "payments")
        @GetExchange("/charges/{id}")
        String charge(@org.springframework.web.bind.annotation.PathVariable String id);

        @PostExchange("/unsafe")
        String unsafe(@RequestBody String order);
    }

    interface Bad {

        @HttpRetry(client = "nope")
        @GetExchange("/items")
        String item();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportHttpServices(group = "inventory", types = Inventory.class, clientType = HttpServiceGroup.ClientType.REST_CLIENT)
    @ImportHttpServices(group = "stock", types = Stock.class, clientType = HttpServiceGroup.ClientType.WEB_CLIENT)
    @ImportHttpServices(group = "orders", types = Orders.class, clientType = HttpServiceGroup.ClientType.REST_CLIENT)
    static class Groups {
    }

    @Configuration(proxyBeanMethods = false)
    @ImportHttpServices(group = "inventory", types = Bad.class, clientType = HttpServiceGroup.ClientType.REST_CLIENT)
    static class BadGroup {
    }
}
