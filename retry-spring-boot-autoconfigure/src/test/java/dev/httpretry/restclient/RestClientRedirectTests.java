package dev.httpretry.restclient;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.httpretry.core.RetryClients;
import dev.httpretry.core.StopReason;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.RandomBytes;
import dev.httpretry.testing.RecordingListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 307 redirect that RestClient's request factory follows sends the body again within one attempt:
 * not a retry, and the target gets the body whole, even one over {@code body-replay-limit}.
 */
class RestClientRedirectTests {

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

    private final RecordingListener listener = new RecordingListener();

    @AfterEach
    void stop() {
        this.server.disposeNow(Duration.ofSeconds(5));
    }

    /** The request factories that follow a 307, set to. */
    enum Factory {

        REACTOR_NETTY, JDK;

        ClientHttpRequestFactory create() {
            return (this == REACTOR_NETTY) ? new ReactorClientHttpRequestFactory(reactor.netty.http.client.HttpClient.create()
                .followRedirect(true)) : new JdkClientHttpRequestFactory(java.net.http.HttpClient.newBuilder()
                    .followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build());
        }
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void aBodyOverTheLimitFollowsARedirectWhole(Factory factory) {
        byte[] bytes = RandomBytes.of(5_000);
        RetryClientHttpRequestInterceptor interceptor = new RetryClientHttpRequestInterceptor(RetryClients.of(
                Map.of(RetryClients.DEFAULT_CLIENT, Harness.fastPolicy().bodyReplayLimit(1000).build()), Clock.systemUTC()), this.listener);
        RestClient client = interceptor.applyTo(RestClient.builder().requestFactory(factory.create()))
            .baseUrl("http://127.0.0.1:" + this.server.port()).build();

        assertThat(client.put().uri("/origin").body(bytes).retrieve().body(String.class)).isEqualTo("stored 5000");

        assertThat(this.received).singleElement().satisfies((body) -> assertThat(body).isEqualTo(bytes));
        assertThat(this.listener.onlyCall().reason()).isEqualTo(StopReason.NONE);
        assertThat(this.listener.onlyCall().attempts()).isOne();
    }
}
