package dev.httpretry.benchmarks;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import dev.httpretry.benchmarks.BrookerSimulation.Point;
import dev.httpretry.benchmarks.BrookerSimulation.Settings;
import dev.httpretry.benchmarks.BrookerSimulation.Trial;
import dev.httpretry.core.Jitter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Brooker's published result, reproduced on retry-core's own jitter: at 100 clients full jitter
 * needs less than half the calls of un-jittered exponential backoff, equal jitter about the same as
 * full, decorrelated somewhat more. Fewer trials than the benchmark, so it runs in a second.
 */
class BrookerSimulationTests {

    private static final int TRIALS = 10;

    private static final int CLIENTS = 100;

    private static Point at100(Jitter jitter) {
        return BrookerSimulation.point(jitter, CLIENTS, TRIALS, BrookerSimulation.DEFAULT_SEED, Settings.BLOG);
    }

    @Test
    void reproducesThePublishedComparisonAtOneHundredClients() {
        Point none = at100(Jitter.NONE);
        Point full = at100(Jitter.FULL);
        Point equal = at100(Jitter.EQUAL);
        Point decorrelated = at100(Jitter.DECORRELATED);

        assertThat(full.meanCalls()).as("full jitter cuts calls by more than half").isLessThan(none.meanCalls() / 2);
        assertThat(equal.meanCalls()).as("equal jitter does about the work of full")
            .isCloseTo(full.meanCalls(), within(full.meanCalls() * 0.25));
        assertThat(decorrelated.meanCalls()).as("decorrelated does somewhat more work than full")
            .isGreaterThanOrEqualTo(full.meanCalls());
        assertThat(none.meanCalls()).as("no jitter is the clear loser")
            .isGreaterThan(Math.max(equal.meanCalls(), decorrelated.meanCalls()) * 1.5);
        assertThat(none.meanCompletionMillis()).as("and takes far longer")
            .isGreaterThan(3 * Math.max(full.meanCompletionMillis(), Math.max(equal.meanCompletionMillis(),
                    decorrelated.meanCompletionMillis())));
    }

    @Test
    void isDeterministic() {
        List<Integer> clients = List.of(10, 50, 100);
        Map<Jitter, List<Point>> first = BrookerSimulation.run(clients, 5, 42, Settings.BLOG);
        Map<Jitter, List<Point>> second = BrookerSimulation.run(clients, 5, 42, Settings.BLOG);
        assertThat(second).isEqualTo(first);
        assertThat(BrookerSimulation.trial(Jitter.FULL, CLIENTS, 7, Settings.BLOG))
            .isEqualTo(BrookerSimulation.trial(Jitter.FULL, CLIENTS, 7, Settings.BLOG));
        assertThat(BrookerSimulation.trial(Jitter.FULL, CLIENTS, 8, Settings.BLOG))
            .as("another seed, another trial").isNotEqualTo(BrookerSimulation.trial(Jitter.FULL, CLIENTS, 7, Settings.BLOG));
    }

    @Test
    void followsTheBlogsMessageFlow() {
        // No network variance: every hop takes exactly 10 ms. Both clients read at 10 ms, get version 0
        // at 20 ms and write at 30 ms; client 0's write lands first and wins, client 1 learns it lost at
        // 40 ms, waits retry 1's capped delay (5 ms, no jitter), reads at 55, writes at 75 and learns it
        // won at 85 ms.
        Settings exact = new Settings(10, 0, Duration.ofMillis(5), 2.0, Duration.ofSeconds(2));
        assertThat(BrookerSimulation.trial(Jitter.NONE, 2, 1, exact)).isEqualTo(new Trial(3, 85_000_000L));
        assertThat(BrookerSimulation.trial(Jitter.NONE, 1, 1, exact)).isEqualTo(new Trial(1, 40_000_000L));
    }

    @Test
    void everyClientEndsWithASuccess() {
        for (Jitter jitter : BrookerSimulation.ALGORITHMS) {
            Trial trial = BrookerSimulation.trial(jitter, 30, 3, Settings.BLOG);
            assertThat(trial.calls()).as(jitter.name()).isGreaterThanOrEqualTo(30);
        }
    }

    @Test
    void mainWritesTheTablesAndThePlot(@TempDir Path out) throws IOException {
        BrookerSimulation.main(new String[] { "--trials", "2", "--max-clients", "20", "--out", out.toString() });

        assertThat(Files.readString(out.resolve("brooker-simulation.csv")))
            .startsWith("algorithm,clients,trials,mean_calls")
            .contains("none,10,2,", "full,20,2,", "equal,10,2,", "decorrelated,20,2,");
        assertThat(Files.readString(out.resolve("brooker-simulation.md"))).contains("| clients | none | full | equal | decorrelated |");
        BufferedImage png = ImageIO.read(out.resolve("brooker-simulation.png").toFile());
        assertThat(png).isNotNull();
        assertThat(png.getWidth()).isGreaterThan(png.getHeight());
    }
}
