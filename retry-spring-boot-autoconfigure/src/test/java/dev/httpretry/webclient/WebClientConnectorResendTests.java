package dev.httpretry.webclient;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.httpretry.autoconfigure.HttpRetryAutoConfiguration;
import dev.httpretry.autoconfigure.HttpRetryMetricsAutoConfiguration;
import dev.httpretry.autoconfigure.HttpRetryWebClientAutoConfiguration;
import dev.httpretry.testing.MeteredAttempts;
import dev.httpretry.testing.TestServer;
import dev.httpretry.testing.TestServer.Reply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.ConnectionObserver;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * At most one request on the wire per attempt, on each connector Boot builds for {@code WebClient}:
 * below the retry filter, a connector sends nothing again that may have reached the server, so the
 * server receives the bytes of as many requests as {@code http.client.retry.attempts} counts
 * attempts that left the client. Where a connector cannot be told not to (the JDK {@code HttpClient}),
 * start-up says so, and the server counts twice as many. Real servers on 127.0.0.1; Boot's
 * auto-configured connector and {@code WebClient.Builder}.
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
                assertThat(server.requestsBegun()).as("requests of which bytes reached the server").isEqualTo(MeteredAttempts.all(registry));
            });
        }
    }

    @ParameterizedTest
    @EnumSource
    void aGetWhoseConnectionClosesBeforeTheResponseIsOneRequestPerAttempt(Connector connector) {
        assertOneRequestPerAttemptOfAGetAnswered(Reply.drop(), connector);
    }

    @ParameterizedTest
    @EnumSource
    void aGetWhoseConnectionIsResetBeforeTheResponseIsOneRequestPerAttempt(Connector connector) {
        assertOneRequestPerAttemptOfAGetAnswered(Reply.reset(), connector);
    }

    /** A {@code GET} answered with {@code reply} fails after two attempts, each one request (more where the client sends again itself). */
    private void assertOneRequestPerAttemptOfAGetAnswered(Reply reply, Connector connector) {
        try (TestServer server = new TestServer().otherwise(reply)) {
            connector.run(this.runner.withPropertyValues("http.retry.max-attempts=2"), (builder, registry) -> {
                assertThatExceptionOfType(WebClientRequestException.class)
                    .isThrownBy(() -> builder.build().get().uri(server.url()).retrieve().toBodilessEntity().block(BLOCK));
                assertThat(MeteredAttempts.all(registry)).isEqualTo(2);
                assertThat(server.requestsBegun()).as("requests of which bytes reached the server")
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
     * A {@code POST} without {@code Idempotency-Key} on a pooled connection that the server ends
     * (closes or resets) once the request has taken it, before anything of the request was written.
     * Reactor Netty sends a request again itself only when nothing of it was written (its retry is
     * off for a request once its headers went out), so a reset before the write is sent again below
     * the filter, within one attempt; a close Reactor Netty reports as closed before send, and the
     * starter sends the request again, at once, whatever its method. Either way the {@code POST}
     * goes through, as it does on a plain {@code WebClient} after a reset (after a close, a plain
     * one fails), and the server receives the bytes of one request for every attempt that left. The
     * end races the start of the write: when it comes after Reactor Netty marked the headers sent, the
     * {@code POST} is sent at most once and fails, as without the starter.
     */
    @ParameterizedTest
    @EnumSource
    void aPostOnAPooledConnectionTheServerEndsBeforeItIsWrittenGoesThroughOnce(Close close) {
        // first on a plain WebClient, with no retry filter above its connector (before the context,
        // which disposes the global resources the servers here run on when it closes)
        try (TestServer server = new TestServer()) {
            WebClient plain = WebClient.builder().filter(endedBeforeTheFirstWrite(server, close, new CopyOnWriteArrayList<>())).build();
            assertThat(plain.get().uri(server.url() + "/warm").retrieve().bodyToMono(String.class).block(BLOCK)).isEqualTo("ok");
            Mono<String> post = plain.post().uri(server.url()).bodyValue("order").retrieve().bodyToMono(String.class);
            if (close == Close.RESET) {
                assertThat(post.block(BLOCK)).isEqualTo("ok");
                assertThat(server.requestsBegun()).as("requests of which bytes reached the server").isEqualTo(2);
            }
            else {
                // a plain one fails ("closed BEFORE send operation") or, when the close reaches it after
                // the write began, now and then hears nothing at all: either way the POST does not get through
                assertThat(post.onErrorResume((error) -> Mono.just("failed: " + error.getClass().getSimpleName()))
                    .timeout(Duration.ofSeconds(5), Mono.just("no answer")).block(BLOCK)).isNotEqualTo("ok");
            }
        }
        try (TestServer server = new TestServer()) {
            List<Channel> channels = new CopyOnWriteArrayList<>();
            CountDownLatch released = new CountDownLatch(1);
            ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> observed = (reactor) -> reactor
                .withHttpClientCustomizer((httpClient) -> httpClient.observe((connection, state) -> {
                    if (state == ConnectionObserver.State.RELEASED) {
                        released.countDown();
                    }
                }));
            Connector.REACTOR_NETTY.run(this.runner.withBean(ClientHttpConnectorBuilderCustomizer.class, () -> observed), (builder, registry) -> {
                WebClient client = builder.filter(endedBeforeTheFirstWrite(server, close, channels)).build();
                assertThat(client.get().uri(server.url() + "/warm").retrieve().bodyToMono(String.class).block(BLOCK)).isEqualTo("ok");
                assertThat(released.await(10, TimeUnit.SECONDS)).as("the connection is back in the pool").isTrue();

                String result = client.post().uri(server.url()).bodyValue("order").retrieve().bodyToMono(String.class)
                    .onErrorResume(WebClientRequestException.class, (error) -> Mono.just("failed")).block(BLOCK);
                assertThat(channels.get(1)).as("the POST took the pooled connection").isSameAs(channels.get(0));
                long attempts = MeteredAttempts.ofMethod(registry, "POST");
                long neverLeft = MeteredAttempts.failedWith(registry, "POST", "AbortedException");
                assertThat(attempts - neverLeft).as("POST attempts that left the client").isOne();
                if (!result.equals("ok")) {
                    // now and then the end reaches the request after Reactor Netty has marked its headers
                    // sent: then nothing may send the POST again, and it fails once, as on a plain client
                    assertThat(attempts).isOne();
                    assertThat(server.requestsBegun()).as("requests of which bytes reached the server").isLessThanOrEqualTo(2);
                    return;
                }
                assertThat(server.requestsBegun()).as("requests of which bytes reached the server").isEqualTo(1 + attempts - neverLeft);
                assertThat(server.received()).extracting(TestServer.Received::method).containsExactly("GET", "POST");
                assertThat(attempts).isEqualTo((close == Close.CLOSE) ? 2 : 1);
            });
        }
    }

    /**
     * Reactor Netty's retry does not send again a request of which anything was written: a
     * {@code POST} whose connection the server resets as soon as its headers arrived (its body
     * still going out) fails as it does without the starter, and reaches the server once.
     */
    @org.junit.jupiter.api.Test
    void aPostResetOnceItsHeadersArrivedIsNotSentAgainBelowTheFilter() {
        Reply resetOnHeaders = (request, response) -> Mono.fromRunnable(() -> response.withConnection((connection) -> {
            connection.channel().config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0);
            connection.channel().close();
        }));
        try (TestServer server = new TestServer().otherwise(resetOnHeaders)) {
            Connector.REACTOR_NETTY.run(this.runner, (builder, registry) -> {
                Mono<String> post = builder.build().post().uri(server.url()).bodyValue(new byte[512 * 1024]).retrieve().bodyToMono(String.class);
                assertThatExceptionOfType(WebClientRequestException.class).isThrownBy(() -> post.block(BLOCK));
                assertThat(MeteredAttempts.ofMethod(registry, "POST")).isOne();
                assertThat(server.requestsBegun()).as("requests of which bytes reached the server").isOne();
            });
        }
    }

    /**
     * Records each request's connection as it is written; the first {@code POST}'s connection is
     * ended by the server before anything of that request is written, and that request never is.
     */
    private static ExchangeFilterFunction endedBeforeTheFirstWrite(TestServer server, Close close, List<Channel> channels) {
        AtomicInteger posts = new AtomicInteger();
        return (request, next) -> next.exchange(ClientRequest.from(request).body((message, context) -> {
            Channel channel = ((Connection) message.getNativeRequest()).channel();
            channels.add(channel);
            if (request.method() != HttpMethod.POST || posts.incrementAndGet() > 1) {
                return request.body().insert(message, context);
            }
            Mono<Void> gone = Mono.create((sink) -> channel.closeFuture().addListener((future) -> sink.success()));
            return server.endConnections(close == Close.RESET).then(gone).then(Mono.never());
        }).build());
    }

    /** How the server ends a connection it kept alive. */
    enum Close {

        CLOSE, RESET
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
