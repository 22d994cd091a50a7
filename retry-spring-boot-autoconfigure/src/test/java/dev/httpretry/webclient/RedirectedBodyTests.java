package dev.httpretry.webclient;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import dev.httpretry.core.StopReason;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.RandomBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.http.client.reactive.JettyClientHttpConnector;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 307 redirect that a connector follows writes the body again within one attempt: that is not a
 * retry. A body over {@code body-replay-limit} must reach the redirect's target whole, as without the
 * starter; a one-shot body that cannot be written again ends exactly as it does without the starter.
 * Real servers on 127.0.0.1, with each connector that follows redirects.
 */
class RedirectedBodyTests {

    private static final int SIZE = 5_000;

    private final List<byte[]> received = new CopyOnWriteArrayList<>();

    private final DisposableServer server = HttpServer.create().host("127.0.0.1").port(0).route((routes) -> routes
        .put("/origin", (request, response) -> request.receive().aggregate().then(
                response.status(307).header("Location", "/target").send()))
        .put("/target", (request, response) -> request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
            .flatMap((body) -> {
                this.received.add(body);
                return response.sendString(Mono.just("stored " + body.length)).then();
            })))
        .bindNow();

    @AfterEach
    void stop() {
        this.server.disposeNow(Duration.ofSeconds(5));
    }

    /** The connectors that follow a 307, each set to. */
    enum Connector {

        REACTOR_NETTY(() -> new ReactorClientHttpConnector(reactor.netty.http.client.HttpClient.create().followRedirect(true))),
        JDK(() -> new JdkClientHttpConnector(java.net.http.HttpClient.newBuilder()
            .followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build())),
        JETTY(() -> new JettyClientHttpConnector());

        final java.util.function.Supplier<ClientHttpConnector> connector;

        Connector(java.util.function.Supplier<ClientHttpConnector> connector) {
            this.connector = connector;
        }
    }

    /**
     * A byte array of 5,000 bytes, with a limit of 1,000 bytes (not kept) and of 1 MB (kept): the
     * redirect's target gets it whole, in one attempt, wherever a plain WebClient gets it whole; Jetty's
     * reactive client cannot write a request body twice, with or without the starter, and fails alike.
     */
    @ParameterizedTest(name = "{0}, limit {1} bytes")
    @org.junit.jupiter.params.provider.CsvSource({ "REACTOR_NETTY, 1000", "REACTOR_NETTY, 1048576", "JDK, 1000", "JDK, 1048576",
            "JETTY, 1000", "JETTY, 1048576" })
    void aBodyFollowsARedirectWholeAsWithoutTheStarter(Connector connector, long limit) {
        byte[] bytes = RandomBytes.of(SIZE);
        Function<WebClient, Object> call = (client) -> client.put().uri("/origin").bodyValue(bytes).retrieve().bodyToMono(String.class)
            .map((answer) -> (Object) answer)
            .onErrorResume((error) -> Mono.just(error.getClass().getName() + ": " + error.getMessage()))
            .block(Duration.ofSeconds(10));
        Object plain = call.apply(WebClient.builder().baseUrl(url()).clientConnector(connector.connector.get()).build());
        int plainReceived = this.received.size();
        this.received.clear();
        Harness harness = Harness.of(Harness.fastPolicy().bodyReplayLimit(limit));

        Object retrying = call.apply(client(harness, connector));

        assertThat(this.received).allSatisfy((body) -> assertThat(body).isEqualTo(bytes));
        if (connector != Connector.JETTY) {
            // Jetty's outcome (an error, or the redirect's target answering) varies from run to run,
            // with or without the starter: for it only that no other body is ever sent holds
            assertThat(retrying).isEqualTo(plain);
            assertThat(this.received).hasSize(plainReceived);
            assertThat(retrying).isEqualTo("stored " + SIZE);
            assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.NONE);
        }
        assertThat(harness.listener.onlyCall().attempts()).as("a redirect is not a retry").isOne();
    }

    /** A one-shot stream over the limit cannot be written again: whatever happens, it happens as without the starter. */
    @ParameterizedTest
    @EnumSource(Connector.class)
    void aOneShotBodyOverTheLimitEndsAsWithoutTheStarter(Connector connector) {
        byte[] bytes = RandomBytes.of(SIZE);
        Function<WebClient, Object> call = (client) -> {
            ByteArrayInputStream once = new ByteArrayInputStream(bytes);
            BodyInserter<?, ? super org.springframework.http.client.reactive.ClientHttpRequest> body = BodyInserters.fromDataBuffers(
                    DataBufferUtils.readInputStream(() -> once, DefaultDataBufferFactory.sharedInstance, 1024));
            return client.put().uri("/origin").body(body).exchangeToMono(ClientResponse::toBodilessEntity)
                .map((entity) -> (Object) entity.getStatusCode().value())
                .onErrorResume((error) -> Mono.just(error.getClass().getName()))
                .block(Duration.ofSeconds(10));
        };
        Object plain = call.apply(WebClient.builder().baseUrl(url()).clientConnector(connector.connector.get()).build());
        List<byte[]> plainReceived = List.copyOf(this.received);
        this.received.clear();

        Object retrying = call.apply(client(Harness.of(Harness.fastPolicy().bodyReplayLimit(1000)), connector));

        if (connector == Connector.JETTY) {
            // as above: Jetty's outcome varies from run to run; no body but the caller's is ever sent
            assertThat(this.received).allSatisfy((body) -> assertThat(body).isEqualTo(bytes));
            return;
        }
        assertThat(retrying).isEqualTo(plain);
        assertThat(this.received).hasSameSizeAs(plainReceived);
        for (int i = 0; i < plainReceived.size(); i++) {
            assertThat(this.received.get(i)).isEqualTo(plainReceived.get(i));
        }
    }

    private WebClient client(Harness harness, Connector connector) {
        return WebClient.builder().baseUrl(url()).clientConnector(connector.connector.get()).filter(harness.filter()).build();
    }

    private String url() {
        return "http://127.0.0.1:" + this.server.port();
    }
}
