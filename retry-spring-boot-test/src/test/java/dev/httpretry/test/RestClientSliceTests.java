package dev.httpretry.test;

import java.time.Duration;

import dev.httpretry.core.DelaySource;
import dev.httpretry.core.StopReason;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.restclient.test.autoconfigure.RestClientTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.test.web.client.MockRestServiceServer;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.client.match.MockRestRequestMatchers.requestTo;
import static org.springframework.test.web.client.response.MockRestResponseCreators.withStatus;
import static org.springframework.test.web.client.response.MockRestResponseCreators.withSuccess;

/**
 * A {@code @RestClientTest} slice has the starter and the test support: a {@code 503} with
 * {@code Retry-After: 5} from {@code MockRestServiceServer} is retried at once with {@code skip-waits}
 * and recorded at its full length, and a named client with a {@code base-url} in the application's
 * configuration does not bind the mock server a second time.
 */
@RestClientTest(properties = { "http.retry.testing.skip-waits=true", "http.retry.clients.payments.base-url=https://payments.example" })
@Import(RestClientSliceTests.Quotes.class)
class RestClientSliceTests {

    @Autowired
    Quotes quotes;

    @Autowired
    MockRestServiceServer server;

    @Autowired
    RetryRecorder recorder;

    @Test
    void a503FromTheMockServerIsRetriedWithoutWaiting() {
        HttpHeaders retryAfter = new HttpHeaders();
        retryAfter.add("Retry-After", "5");
        this.server.expect(requestTo("https://quotes.example/quotes/tea")).andRespond(withStatus(HttpStatus.SERVICE_UNAVAILABLE)
            .headers(retryAfter));
        this.server.expect(requestTo("https://quotes.example/quotes/tea")).andRespond(withSuccess("3", MediaType.TEXT_PLAIN));

        assertThat(this.quotes.quote("tea")).isEqualTo("3");

        this.server.verify();
        this.recorder.lastCall("default").check().attempts(2).waited(Duration.ofSeconds(5), DelaySource.RETRY_AFTER)
            .ended(StopReason.NONE);
    }

    @Component
    static class Quotes {

        private final RestClient client;

        Quotes(RestClient.Builder builder) {
            this.client = builder.baseUrl("https://quotes.example").build();
        }

        String quote(String item) {
            return this.client.get().uri("/quotes/{item}", item).retrieve().body(String.class);
        }
    }
}
