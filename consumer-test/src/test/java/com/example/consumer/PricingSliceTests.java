package com.example.consumer;

import dev.httpretry.core.StopReason;
import dev.httpretry.test.RetryRecorder;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.restclient.test.autoconfigure.RestClientTest;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.client.MockRestServiceServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.client.match.MockRestRequestMatchers.method;
import static org.springframework.test.web.client.match.MockRestRequestMatchers.requestTo;
import static org.springframework.test.web.client.response.MockRestResponseCreators.withServiceUnavailable;
import static org.springframework.test.web.client.response.MockRestResponseCreators.withSuccess;

/**
 * A @RestClientTest slice of one client, as a team writes it: the starter is part of the slice, so a
 * 503 is retried, and MockRestServiceServer works although the application configures a named client.
 */
@RestClientTest(Pricing.class)
class PricingSliceTests {

    @Autowired
    Pricing pricing;

    @Autowired
    MockRestServiceServer server;

    @Autowired
    RetryRecorder recorder;

    @Test
    void a503IsRetried() {
        this.server.expect(requestTo("https://pricing.internal.example/pricing/tea")).andExpect(method(HttpMethod.GET))
            .andRespond(withServiceUnavailable());
        this.server.expect(requestTo("https://pricing.internal.example/pricing/tea"))
            .andRespond(withSuccess("12", MediaType.TEXT_PLAIN));

        assertThat(this.pricing.price("tea")).isEqualTo("12");
        this.server.verify();
        this.recorder.lastCall("default").check().attempts(2).statuses(503, 200).ended(StopReason.NONE);
    }
}
