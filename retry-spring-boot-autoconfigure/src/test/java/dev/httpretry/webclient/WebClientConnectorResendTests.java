package dev.httpretry.webclient;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.httpretry.autoconfigure.HttpRetryAutoConfiguration;
import dev.httpretry.autoconfigure.HttpRetryMetricsAutoConfiguration;
import dev.httpretry.autoconfigure.HttpRetryWebClientAutoConfiguration;
import dev.httpretry.testing.MeteredAttempts;
import dev.httpretry.testing.TestServer;
import dev.httpretry.testing.TestServer.Reply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * One request on the wire per attempt, on each connector Boot builds for {@code WebClient}: the
 * connector sends nothing again on its own below the retry filter, so the server counts as many
 * requests as {@code http.client.retry.attempts} counts attempts. Where a connector cannot be told
 * not to (the JDK {@code HttpClient}), start-up says so, and the server counts twice as many. Real
 * servers on 127.0.0.1; Boot's auto-configured connector and {@code WebClient.Builder}.
 */
@Tag("connectors")
@ExtendWith(OutputCaptureExtension.class)
class WebClientConnectorResendTests {

    private static final Duration BLOCK = Duration.ofSeconds(20);

    private static final String JDK_WARNING = "the JDK HttpClient sends a GET or HEAD a second time itself";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(HttpClientAutoConfiguration.class, ReactiveHttpClientAutoConfiguration.class,
                WebClientAutoConfiguration.class, HttpRetryAutoConfiguration.class, HttpRetryWebClientAutoConfiguration.class,
                HttpRetryMetricsAutoConfiguration.class))
        .withBean(SimpleMeterRegistry.class)
        .withPropertyValues("http.retry.backoff.initial-delay=1ms", "http.retry.backoff.max-delay=5ms");

    @ParameterizedTest
    @EnumSource
    void aRetried503IsOneRequestPerAttempt(Connector connector) {
        // Apache HttpClient 5 would send a GET answered 503 again itself, a second later
        try (TestServer server = TestServer.answering(503, 200)) {
            connector.run(this.runner, (builder, registry) -> {
                assertThat(builder.build().get().uri(server.url()).retrieve().bodyToMono(String.class).block(BLOCK))
                    .isEqualTo("response 2");
                assertThat(MeteredAttempts.all(registry)).isEqualTo(2);
                assertThat(server.requests()).as("requests the server received").isEqualTo(MeteredAttempts.all(registry));
            });
        }
    }

    @ParameterizedTest
    @EnumSource
    void aGetWhoseConnectionClosesBeforeTheResponseIsOneRequestPerAttempt(Connector connector) {
        try (TestServer server = new TestServer().otherwise(Reply.drop())) {
            connector.run(this.runner.withPropertyValues("http.retry.max-attempts=2"), (builder, registry) -> {
                assertThatExceptionOfType(WebClientRequestException.class)
                    .isThrownBy(() -> builder.build().get().uri(server.url()).retrieve().toBodilessEntity().block(BLOCK));
                assertThat(MeteredAttempts.all(registry)).isEqualTo(2);
                assertThat(server.requests()).as("requests the server received")
                    .isEqualTo(MeteredAttempts.all(registry) * connector.sendsPerGetWhenClosed);
            });
        }
    }

    @ParameterizedTest
    @EnumSource
    void aGetWhoseConnectionIsResetBeforeTheResponseIsOneRequestPerAttempt(Connector connector) {
        try (TestServer server = new TestServer().otherwise(Reply.reset())) {
            connector.run(this.runner.withPropertyValues("http.retry.max-attempts=2"), (builder, registry) -> {
                assertThatExceptionOfType(WebClientRequestException.class)
                    .isThrownBy(() -> builder.build().get().uri(server.url()).retrieve().toBodilessEntity().block(BLOCK));
                assertThat(MeteredAttempts.all(registry)).isEqualTo(2);
                assertThat(server.requests()).as("requests the server received")
                    .isEqualTo(MeteredAttempts.all(registry) * connector.sendsPerGetWhenClosed);
            });
        }
    }

    @ParameterizedTest
    @EnumSource
    void startUpNamesTheConnectorThatSendsRequestsAgainItselfOnce(Connector connector, CapturedOutput output) {
        connector.run(this.runner, (builder, registry) -> {
        });
        if (connector.sendsPerGetWhenClosed > 1) {
            assertThat(output).containsOnlyOnce(JDK_WARNING).contains("WebClient requests are made with "
                    + "org.springframework.http.client.reactive.JdkClientHttpConnector");
        }
        else {
            assertThat(output).doesNotContain("a second time itself");
        }
    }

    /**
     * A pooled connection the server closed, taken for a request that then waits to be written. A
     * reset that arrives before anything was written, Reactor Netty sends again itself; a close,
     * Reactor Netty reports as closed before send. With its retry turned off, either is an attempt,
     * and the filter sends the request again: the close as a request that never left (at once, and a
     * {@code POST} too), the reset as a reset (a {@code GET}, a method in {@code methods}).
     */
    @ParameterizedTest
    @CsvSource({ "CLOSE, POST, AbortedException", "RESET, GET, NativeIoException" })
    void aRequestOnAPooledConnectionTheServerClosedIsSentAgainAsAnAttempt(Close close, HttpMethod method, String error) {
        // the server closes its connections 300 ms after each answer; the request's first write waits 900 ms
        try (TestServer server = new TestServer().otherwise(close.after(Duration.ofMillis(300), Reply.status(200).body("ok")))) {
            AtomicInteger writes = new AtomicInteger();
            ExchangeFilterFunction firstWriteLate = (request, next) -> request.url().getPath().equals("/warm") ? next.exchange(request)
                    : next.exchange(ClientRequest.from(request).body(late(request.body(), writes)).build());
            Connector.REACTOR_NETTY.run(this.runner, (builder, registry) -> {
                WebClient client = builder.filter(firstWriteLate).build();
                assertThat(client.get().uri(server.url() + "/warm").retrieve().bodyToMono(String.class).block(BLOCK)).isEqualTo("ok");
                // the connection back in the pool, before the server closes it
                Thread.sleep(100);
                long warmUp = MeteredAttempts.all(registry);

                assertThat(client.method(method).uri(server.url()).bodyValue("order").retrieve().bodyToMono(String.class).block(BLOCK))
                    .isEqualTo("ok");
                assertThat(writes).as("requests the connector began to write").hasValue(2);
                assertThat(MeteredAttempts.all(registry) - warmUp).as("attempts").isEqualTo(writes.get());
                assertThat(MeteredAttempts.failedWith(registry, method.name(), error)).isEqualTo(1);
                assertThat(server.received()).extracting(TestServer.Received::method).containsExactly("GET", method.name());
            });
        }
    }

    /** The first write of a request waits 900 ms once the connector has its connection; every write is counted. */
    private static BodyInserter<?, ? super ClientHttpRequest> late(BodyInserter<?, ? super ClientHttpRequest> body, AtomicInteger writes) {
        return (message, context) -> {
            Mono<Void> insert = Mono.defer(() -> body.insert(message, context));
            return (writes.incrementAndGet() == 1) ? Mono.delay(Duration.ofMillis(900)).then(insert) : insert;
        };
    }

    /** How the server ends a connection it kept alive. */
    enum Close {

        CLOSE, RESET;

        Reply after(Duration after, Reply reply) {
            return (this == CLOSE) ? Reply.closedAfter(after, reply) : Reply.resetAfter(after, reply);
        }
    }

    /** Each connector Boot can build for WebClient, and how often it sends a GET whose connection closes before the response. */
    enum Connector {

        REACTOR_NETTY("reactor", 1), JETTY("jetty", 1), HTTP_COMPONENTS("http-components", 1), JDK("jdk", 2);

        final String property;

        final int sendsPerGetWhenClosed;

        Connector(String property, int sendsPerGetWhenClosed) {
            this.property = property;
            this.sendsPerGetWhenClosed = sendsPerGetWhenClosed;
        }

        void run(ApplicationContextRunner runner, Calls calls) {
            runner.withPropertyValues("spring.http.clients.reactive.connector=" + this.property).run((context) -> {
                assertThat(context).hasNotFailed();
                calls.make(context.getBean(WebClient.Builder.class), context.getBean(SimpleMeterRegistry.class));
            });
        }
    }

    @FunctionalInterface
    interface Calls {

        void make(WebClient.Builder builder, SimpleMeterRegistry registry) throws Exception;
    }
}
