package dev.httpretry.restclient;

import java.util.concurrent.atomic.AtomicInteger;

import dev.httpretry.autoconfigure.HttpRetryAutoConfiguration;
import dev.httpretry.autoconfigure.HttpRetryMetricsAutoConfiguration;
import dev.httpretry.autoconfigure.HttpRetryRestClientAutoConfiguration;
import dev.httpretry.testing.MeteredAttempts;
import dev.httpretry.testing.TestServer;
import dev.httpretry.testing.TestServer.Reply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * At most one request on the wire per attempt, on each request factory Boot builds for
 * {@code RestClient}: below the retry interceptor, the client under it sends nothing again that may
 * have reached the server, so the server receives the bytes of as many requests as
 * {@code http.client.retry.attempts} counts attempts that left the client. Where a client
 * cannot be told not to (the JDK {@code HttpClient}, {@code HttpURLConnection}), start-up says so,
 * and the server counts twice as many. Real servers on 127.0.0.1; Boot's auto-configured request
 * factory and {@code RestClient.Builder}.
 */
@Tag("connectors")
@ExtendWith(OutputCaptureExtension.class)
class RestClientConnectorResendTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(HttpClientAutoConfiguration.class, ImperativeHttpClientAutoConfiguration.class,
                RestClientAutoConfiguration.class, HttpRetryAutoConfiguration.class, HttpRetryRestClientAutoConfiguration.class,
                HttpRetryMetricsAutoConfiguration.class))
        .withBean(SimpleMeterRegistry.class)
        .withPropertyValues("http.retry.backoff.initial-delay=1ms", "http.retry.backoff.max-delay=5ms");

    @ParameterizedTest
    @EnumSource
    void aRetried503IsOneRequestPerAttempt(Factory factory) {
        // Apache HttpClient 5 would send a GET answered 503 again itself, a second later
        try (TestServer server = TestServer.answering(503, 200)) {
            factory.run(this.runner, (builder, registry) -> {
                assertThat(builder.build().get().uri(server.url()).retrieve().body(String.class)).isEqualTo("response 2");
                assertThat(MeteredAttempts.all(registry)).isEqualTo(2);
                assertThat(server.requestsBegun()).as("requests of which bytes reached the server").isEqualTo(MeteredAttempts.all(registry));
            });
        }
    }

    @ParameterizedTest
    @EnumSource
    void aGetWhoseConnectionClosesBeforeTheResponseIsOneRequestPerAttempt(Factory factory) {
        assertOneRequestPerAttemptOfAGetAnswered(Reply.drop(), factory);
    }

    @ParameterizedTest
    @EnumSource
    void aGetWhoseConnectionIsResetBeforeTheResponseIsOneRequestPerAttempt(Factory factory) {
        assertOneRequestPerAttemptOfAGetAnswered(Reply.reset(), factory);
    }

    /** A {@code GET} answered with {@code reply} fails after two attempts, each one request (more where the client sends again itself). */
    private void assertOneRequestPerAttemptOfAGetAnswered(Reply reply, Factory factory) {
        try (TestServer server = new TestServer().otherwise(reply)) {
            factory.run(this.runner.withPropertyValues("http.retry.max-attempts=2"), (builder, registry) -> {
                assertThatExceptionOfType(ResourceAccessException.class)
                    .isThrownBy(() -> builder.build().get().uri(server.url()).retrieve().toBodilessEntity());
                assertThat(MeteredAttempts.all(registry)).isEqualTo(2);
                assertThat(server.requestsBegun()).as("requests of which bytes reached the server")
                    .isEqualTo(MeteredAttempts.all(registry) * factory.sendsPerGetWhenClosed);
            });
        }
    }

    @ParameterizedTest
    @EnumSource
    void startUpNamesTheClientThatSendsRequestsAgainItselfOnce(Factory factory, CapturedOutput output) {
        factory.run(this.runner, (builder, registry) -> {
        });
        if (factory.sendsPerGetWhenClosed > 1) {
            assertThat(output).containsOnlyOnce("a second time itself").contains("RestClient requests are made with "
                    + "org.springframework.http.client." + factory.named);
        }
        else {
            assertThat(output).doesNotContain("a second time itself");
        }
    }

    /**
     * A {@code POST} without {@code Idempotency-Key} whose connection closes once the request has
     * taken it, before anything of the request is written (here the client closes it, just before
     * the write, which Reactor Netty reports as it reports a connection the server closed in that
     * moment: RestClient's request is written as soon as the connection is taken, too soon for a
     * server's close to land in between on cue). Reactor Netty sends such a request again itself
     * when it finds the connection closed as it writes; when its close event comes first, it reports
     * the request as closed before send, and the interceptor sends it again, at once, whatever its
     * method. Either way the {@code POST} goes through, and the server receives the bytes of one
     * request for every attempt that left the client.
     */
    @Test
    void aPostOnAConnectionClosedBeforeItWasWrittenGoesThroughOnce() {
        try (TestServer server = new TestServer()) {
            AtomicInteger postTries = new AtomicInteger();
            ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> closeFirstPost = (reactor) -> reactor
                .withHttpClientCustomizer((httpClient) -> httpClient.doOnRequest((request, connection) -> {
                    if (request.method() == HttpMethod.POST && postTries.incrementAndGet() == 1) {
                        connection.channel().close();
                    }
                }));
            Factory.REACTOR_NETTY.run(this.runner.withBean(ClientHttpRequestFactoryBuilderCustomizer.class, () -> closeFirstPost),
                    (builder, registry) -> {
                        RestClient client = builder.baseUrl(server.url()).build();
                        assertThat(client.post().body("order").retrieve().body(String.class)).isEqualTo("ok");
                        assertThat(postTries).as("POSTs the connector began to send").hasValue(2);
                        assertThat(server.received()).extracting(TestServer.Received::method).containsExactly("POST");
                        long attempts = MeteredAttempts.ofMethod(registry, "POST");
                        long neverLeft = MeteredAttempts.failedWith(registry, "POST", "AbortedException");
                        assertThat(attempts - neverLeft).as("POST attempts that left the client").isOne();
                        assertThat(server.requestsBegun()).as("requests of which bytes reached the server").isOne();
                    });
        }
    }

    /** Each request factory Boot can build for RestClient, and how often its client sends a GET whose connection closes before the response. */
    enum Factory {

        REACTOR_NETTY("reactor", "ReactorClientHttpRequestFactory", 1), JETTY("jetty", "JettyClientHttpRequestFactory", 1),
        HTTP_COMPONENTS("http-components", "HttpComponentsClientHttpRequestFactory", 1), JDK("jdk", "JdkClientHttpRequestFactory", 2),
        SIMPLE("simple", "SimpleClientHttpRequestFactory", 2);

        final String property;

        final String named;

        final int sendsPerGetWhenClosed;

        Factory(String property, String named, int sendsPerGetWhenClosed) {
            this.property = property;
            this.named = named;
            this.sendsPerGetWhenClosed = sendsPerGetWhenClosed;
        }

        void run(ApplicationContextRunner runner, Calls calls) {
            runner.withPropertyValues("spring.http.clients.imperative.factory=" + this.property).run((context) -> {
                assertThat(context).hasNotFailed();
                calls.make(context.getBean(RestClient.Builder.class), context.getBean(SimpleMeterRegistry.class));
            });
        }
    }

    @FunctionalInterface
    interface Calls {

        void make(RestClient.Builder builder, SimpleMeterRegistry registry) throws Exception;
    }
}
