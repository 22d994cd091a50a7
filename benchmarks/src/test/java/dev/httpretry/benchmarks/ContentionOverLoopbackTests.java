package dev.httpretry.benchmarks;

import java.time.Duration;

import dev.httpretry.benchmarks.ContentionOverLoopback.Run;
import dev.httpretry.benchmarks.ContentionOverLoopback.Setup;
import dev.httpretry.core.Jitter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A small run of the contention benchmark: every caller gets through, and the filter and server agree on the count. */
class ContentionOverLoopbackTests {

    @Test
    void everyCallerGetsThroughAndEveryAttemptReachesTheServer() {
        Setup setup = new Setup(40, 5, Duration.ofMillis(5), 50);
        try (LoopbackServer server = LoopbackServer.withCapacity(setup.capacity(), setup.hold())) {
            Run run = ContentionOverLoopback.run(server, Jitter.FULL, setup);

            assertThat(run.succeeded()).isEqualTo(40);
            assertThat(server.admitted()).isEqualTo(40);
            assertThat(run.requests()).isGreaterThanOrEqualTo(40).isEqualTo(run.clientAttempts());
        }
    }
}
