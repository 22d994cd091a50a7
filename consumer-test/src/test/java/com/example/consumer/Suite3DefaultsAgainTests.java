package com.example.consumer;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The suite's third class: the first one's configuration again, so Spring restarts the context it paused. */
@SpringBootTest
class Suite3DefaultsAgainTests extends AppTests {

    @Test
    void thisContextWasPausedAndRestarted() {
        assertThat(SuiteEvents.paused).as("a context was paused").hasPositiveValue();
        assertThat(SuiteEvents.restarted).as("a paused context was restarted").hasPositiveValue();
    }
}
