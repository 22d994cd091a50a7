package dev.httpretry.benchmarks.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chaos and leak soak (see {@link ChaosSoak}). {@code mvn verify} runs a reduced soak of
 * {@code soak.calls} (5,000 by default: 15 to 40 s here, depending on what else runs); the full run is the same test with
 * {@code -Dsoak.calls=20000}. The summary is printed and written to
 * {@code target/chaos-soak-<calls>.md}.
 */
class ChaosSoakTests {

    @Test
    void everyCallIsAccountedForAndNothingLeaksOrRepeatsAnUnsafePost() throws IOException {
        SoakSettings settings = SoakSettings.fromSystemProperties();
        SoakReport report;
        try (ChaosSoak soak = new ChaosSoak(settings)) {
            ChaosSoak.Run run = soak.run();
            try {
                // a connection goes back to its pool just after the body is read, on the event loop
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> soak.acquiredConnections() == 0);
            }
            catch (ConditionTimeoutException ex) {
                // reported (and failed) below, with the rest of the summary
            }
            report = soak.report(run);
        }
        String table = report.table();
        System.out.println(table);
        Path out = Path.of("target", "chaos-soak-" + settings.calls() + ".md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table, StandardCharsets.UTF_8);

        assertThat(report.violations()).as("failed checks; summary:%n%s", table).isEmpty();
        // the soak exercised what it claims to: retries happened, and keyed POSTs were retried after reaching the server
        assertThat(report.attempts()).isGreaterThan(report.issued());
        assertThat(report.keyedPostsResent()).isPositive();
        assertThat(report.attemptsByFault().values()).allSatisfy((count) -> assertThat(count).isPositive());
    }
}
