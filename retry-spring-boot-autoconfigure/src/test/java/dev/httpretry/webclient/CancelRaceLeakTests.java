package dev.httpretry.webclient;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.httpretry.core.AttemptTimeoutException;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.TestServer;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.netty.Connection;
import reactor.util.context.Context;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.http.client.reactive.ClientHttpResponseDecorator;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * An attempt cancelled (by its attempt-timeout, the deadline or the caller) just as its response
 * arrives: the connector may then throw the response away instead of emitting it, as a discarded
 * value. Spring's {@code ReactorClientHttpConnector} discards its {@link ClientHttpResponse} when
 * the cancel overtakes the response inside Reactor Netty's {@code responseConnection}, and Reactor
 * Netty discards the {@link Connection} when the cancel overtakes {@code RESPONSE_RECEIVED}; nobody
 * reads that body, and its buffers leak. Or the connector still signals after the cancel: a late
 * response or a late error, which the attempt's timeout operator dropped on Reactor's hooks (the
 * response unreleased, the error logged as an {@code onErrorDropped} ERROR). Found by the chaos soak
 * (benchmarks module), where Netty's leak detector reported the buffers after attempt timeouts
 * under load. These tests force each race with a connector that, once cancelled, does what a real
 * connector does when the cancel comes too late. Reactor Netty may also signal a connection on a
 * connect sink that had already ended, which drops it on Reactor's {@code onNextDropped}: the attempt's
 * context carries a local hook that disposes it.
 */
class CancelRaceLeakTests {

    private final TestServer server = new TestServer();

    @AfterEach
    void stopServer() {
        this.server.close();
    }

    @Test
    void responseTheConnectorDiscardsAfterTheAttemptTimedOutIsReleased() {
        this.server.otherwise(status(200).body("x".repeat(4096)));
        ReactorClientHttpConnector real = new ReactorClientHttpConnector();
        AtomicBoolean drained = new AtomicBoolean();
        // once cancelled, fetches the real response and discards it, as the Reactor connector does in the race
        ClientHttpConnector racing = cancelledThen((method, uri, writer, context) -> real.connect(method, uri, writer)
            .subscribe((response) -> Operators.onDiscard(new ClientHttpResponseDecorator(response) {
                @Override
                public Flux<DataBuffer> getBody() {
                    return super.getBody().doOnComplete(() -> drained.set(true));
                }
            }, context), (error) -> { }));

        assertThatThrownBy(() -> get(racing)).hasCauseInstanceOf(AttemptTimeoutException.class);
        await().atMost(Duration.ofSeconds(5)).untilTrue(drained);
    }

    @Test
    void connectionReactorNettyDiscardsAfterTheAttemptTimedOutIsDisposed() {
        EmbeddedChannel channel = new EmbeddedChannel();
        Connection connection = Connection.from(channel);
        ClientHttpConnector racing = cancelledThen((method, uri, writer, context) -> Operators.onDiscard(connection, context));

        assertThatThrownBy(() -> get(racing)).hasCauseInstanceOf(AttemptTimeoutException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> !channel.isOpen());
    }

    @Test
    void connectionReactorNettyDropsAfterItsConnectSinkEndedIsDisposed() {
        // Reactor Netty signals RESPONSE_RECEIVED on a connect sink that an error had already ended:
        // the connection goes to Reactor's onNextDropped, not onDiscard (found by hedging's cancels)
        EmbeddedChannel channel = new EmbeddedChannel();
        Connection connection = Connection.from(channel);
        ClientHttpConnector racing = cancelledThen((method, uri, writer, context) -> Operators.onNextDropped(connection, context));

        assertThatThrownBy(() -> get(racing)).hasCauseInstanceOf(AttemptTimeoutException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> !channel.isOpen());
    }

    @Test
    void responseArrivingAfterTheAttemptTimedOutIsReleased() {
        this.server.otherwise(status(200).body("x".repeat(4096)));
        ReactorClientHttpConnector real = new ReactorClientHttpConnector();
        AtomicBoolean drained = new AtomicBoolean();
        // once cancelled, still delivers the real response: what a connector does when the cancel comes too late
        ClientHttpConnector late = signalsAfterCancel((method, uri, writer, subscriber) -> real.connect(method, uri, writer)
            .subscribe((response) -> {
                subscriber.onNext(new ClientHttpResponseDecorator(response) {
                    @Override
                    public Flux<DataBuffer> getBody() {
                        return super.getBody().doOnComplete(() -> drained.set(true));
                    }
                });
                subscriber.onComplete();
            }, (error) -> { }));

        assertThatThrownBy(() -> get(late)).hasCauseInstanceOf(AttemptTimeoutException.class);
        await().atMost(Duration.ofSeconds(5)).untilTrue(drained);
    }

    @Test
    void errorArrivingAfterTheAttemptTimedOutIsNotDroppedOnReactorsHook() {
        ListAppender<ILoggingEvent> dropped = new ListAppender<>();
        dropped.start();
        Logger operators = (Logger) LoggerFactory.getLogger("reactor.core.publisher.Operators");
        operators.addAppender(dropped);
        try {
            // once cancelled, still reports the connection's failure, as a connector may when the server resets at that moment
            ClientHttpConnector late = signalsAfterCancel((method, uri, writer, subscriber) -> subscriber
                .onError(new IOException("Connection reset by peer")));

            assertThatThrownBy(() -> get(late)).hasCauseInstanceOf(AttemptTimeoutException.class);
            assertThat(dropped.list).extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch((message) -> message.contains("onErrorDropped"));
        }
        finally {
            operators.detachAppender(dropped);
        }
    }

    private Object get(ClientHttpConnector connector) {
        Harness harness = Harness.of(Harness.fastPolicy().maxAttempts(1).attemptTimeout(Duration.ofMillis(50)));
        WebClient client = WebClient.builder().baseUrl(this.server.url()).clientConnector(connector)
            .filter(harness.filter()).build();
        return client.get().retrieve().toBodilessEntity().block(Duration.ofSeconds(10));
    }

    /** A connector that answers nothing until it is cancelled, and then runs {@code onCancel}. */
    private static ClientHttpConnector cancelledThen(OnCancel onCancel) {
        return (method, uri, writer) -> Mono.<ClientHttpResponse>create((sink) -> sink.onCancel(
                () -> onCancel.run(method, uri, writer, Context.of(sink.contextView()))));
    }

    /** A connector that answers nothing until it is cancelled, and then signals its subscriber anyway. */
    private static ClientHttpConnector signalsAfterCancel(AfterCancel afterCancel) {
        return (method, uri, writer) -> new Mono<ClientHttpResponse>() {
            @Override
            public void subscribe(CoreSubscriber<? super ClientHttpResponse> subscriber) {
                subscriber.onSubscribe(new Subscription() {
                    @Override
                    public void request(long n) {
                    }

                    @Override
                    public void cancel() {
                        afterCancel.run(method, uri, writer, subscriber);
                    }
                });
            }
        };
    }

    @FunctionalInterface
    private interface AfterCancel {

        void run(HttpMethod method, URI uri, Function<? super ClientHttpRequest, Mono<Void>> writer,
                CoreSubscriber<? super ClientHttpResponse> subscriber);
    }

    @FunctionalInterface
    private interface OnCancel {

        void run(HttpMethod method, URI uri, Function<? super ClientHttpRequest, Mono<Void>> writer, Context context);
    }
}
