package com.example.consumer;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.web.client.HttpServerErrorException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The suite's second class: another configuration, so another context; the first one is paused. */
@SpringBootTest(properties = "http.retry.max-attempts=2")
class Suite2FewerAttemptsTests extends AppTests {

    @Test
    void theTopLevelLimitHoldsForTheDefaultClient() {
        String price = Upstream.failing(2);
        assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class).isThrownBy(() -> this.calls.price(price));
        assertThat(Upstream.INSTANCE.requests("pricing", price)).isEqualTo(2);
    }
}
