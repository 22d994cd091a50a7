package com.example.orders;

import java.time.Duration;

import dev.httpretry.core.DelaySource;
import dev.httpretry.test.RetryRecorder;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.restclient.test.autoconfigure.RestClientTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.client.MockRestServiceServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.client.match.MockRestRequestMatchers.requestTo;
import static org.springframework.test.web.client.response.MockRestResponseCreators.withStatus;
import static org.springframework.test.web.client.response.MockRestResponseCreators.withSuccess;

@RestClientTest(components = Quotes.class, properties = "http.retry.testing.skip-waits=true")
class QuotesSliceTests {

    @Autowired
    Quotes quotes;

    @Autowired
    MockRestServiceServer server;

    @Autowired
    RetryRecorder recorder;

    @Test
    void a503IsRetriedAfterItsRetryAfter() {
        HttpHeaders retryAfter = new HttpHeaders();
        retryAfter.add("Retry-After", "3");
        this.server.expect(requestTo("https://quotes.example/quotes/tea"))
            .andRespond(withStatus(HttpStatus.SERVICE_UNAVAILABLE).headers(retryAfter));
        this.server.expect(requestTo("https://quotes.example/quotes/tea"))
            .andRespond(withSuccess("12", MediaType.TEXT_PLAIN));

        assertThat(this.quotes.price("tea")).isEqualTo("12");
        this.server.verify();
        this.recorder.lastCall().check().attempts(2).waited(Duration.ofSeconds(3), DelaySource.RETRY_AFTER);
    }
}
