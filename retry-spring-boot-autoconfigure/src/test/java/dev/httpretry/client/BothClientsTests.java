package dev.httpretry.client;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.httpretry.core.RetryClients;
import dev.httpretry.core.StopReason;
import dev.httpretry.restclient.RetryClientHttpRequestInterceptor;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.RecordingListener;
import dev.httpretry.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.http.HttpHeaders;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rules both client types share, written once in core and the shared package, checked through
 * each against a real server: which {@code Idempotency-Key} makes a POST safe to send again, a
 * request the client refuses to send, and one request-attribute API that works on both.
 */
class BothClientsTests {

    private final TestServer server = new TestServer();

    private final RecordingListener listener = new RecordingListener();

    private final RetryClients clients = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, Harness.fastPolicy().build()),
            Clock.systemUTC());

    private final RetryClientHttpRequestInterceptor interceptor = new RetryClientHttpRequestInterceptor(this.clients, this.listener);

    @AfterEach
    void stop() {
        this.interceptor.getWaits().stop();
        this.server.close();
    }

    /** How a request is sent. */
    enum Client {

        WEB_CLIENT, REST_CLIENT;

        int post(BothClientsTests test, Consumer<HttpHeaders> headers, Consumer<Map<String, Object>> attributes) {
            try {
                if (this == WEB_CLIENT) {
                    WebClient client = WebClient.builder().baseUrl(test.server.url())
                        .filter(new dev.httpretry.webclient.RetryExchangeFilterFunction(test.clients, test.listener)).build();
                    return client.post().uri("/orders").headers(headers).attributes(attributes).bodyValue("order")
                        .retrieve().toBodilessEntity().block(java.time.Duration.ofSeconds(10)).getStatusCode().value();
                }
                RestClient client = test.interceptor.applyTo(RestClient.builder().requestFactory(new ReactorClientHttpRequestFactory()))
                    .baseUrl(test.server.url()).build();
                return client.post().uri("/orders").headers(headers).attributes(attributes).body("order").retrieve()
                    .toBodilessEntity().getStatusCode().value();
            }
            catch (RuntimeException failed) {
                return -1;
            }
        }
    }

    /** Only one non-blank value, not a list, is a key a server can de-duplicate with (and so is for hedging). */
    @ParameterizedTest(name = "{0}: Idempotency-Key {1} -> sent {2} time(s)")
    @CsvSource(delimiter = '|', textBlock = """
            WEB_CLIENT  | k-1    | 2
            WEB_CLIENT  | ''     | 1
            WEB_CLIENT  | a;b    | 1
            REST_CLIENT | k-1    | 2
            REST_CLIENT | ''     | 1
            REST_CLIENT | a;b    | 1
            """)
    void onlyOneNonBlankIdempotencyKeyMakesAPostSafe(Client client, String values, int expectedRequests) {
        this.server.then(status(503)).otherwise(status(200));
        List<String> keys = List.of(values.split(";", -1));

        int status = client.post(this, (headers) -> headers.put("Idempotency-Key", keys), (attributes) -> {
        });

        assertThat(this.server.requests()).isEqualTo(expectedRequests);
        assertThat(status).isEqualTo((expectedRequests == 2) ? 200 : -1);
        assertThat(this.listener.onlyCall().reason()).isEqualTo((expectedRequests == 2) ? StopReason.NONE : StopReason.UNSAFE_METHOD);
    }

    /** A header value the client refuses before anything is sent is not retried, by either client. */
    @ParameterizedTest
    @EnumSource(Client.class)
    void aRequestTheClientRefusesToSendIsNotRetried(Client client) {
        this.server.otherwise(status(200));

        int status = client.post(this, (headers) -> headers.set("X-Blank", "   "), (attributes) -> {
        });

        assertThat(status).isEqualTo(-1);
        assertThat(this.server.requests()).isZero();
        assertThat(this.listener.attempts).hasSize(1);
        assertThat(this.listener.onlyCall().reason()).isEqualTo(StopReason.NOT_RETRYABLE);
    }

    /** One attribute API for both clients: turning retrying off, or naming an unknown client, works on each. */
    @ParameterizedTest
    @EnumSource(Client.class)
    void oneRequestAttributeApiWorksOnBothClients(Client client) {
        this.server.otherwise(status(503));

        int status = client.post(this, (headers) -> headers.set("Idempotency-Key", "k-2"), RetryRequests.noRetry());

        assertThat(status).isEqualTo(-1);
        assertThat(this.server.requests()).as("sent once, as without the starter").isOne();
        assertThat(this.listener.calls).isEmpty();
        assertThatThrownBy(() -> {
            if (client == Client.WEB_CLIENT) {
                WebClient.builder().baseUrl(this.server.url()).filter(new dev.httpretry.webclient.RetryExchangeFilterFunction(this.clients,
                        this.listener)).build().get().attributes(RetryRequests.client("nope")).retrieve().toBodilessEntity().block();
            }
            else {
                this.interceptor.applyTo(RestClient.builder()).baseUrl(this.server.url()).build().get()
                    .attributes(RetryRequests.client("nope")).retrieve().toBodilessEntity();
            }
        }).hasMessageContaining("No retry client named 'nope'");
    }
}
