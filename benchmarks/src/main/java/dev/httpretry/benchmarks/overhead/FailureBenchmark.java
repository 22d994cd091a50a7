package dev.httpretry.benchmarks.overhead;

import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * Section 2 of BENCHMARKS.md: the four contenders against a server that fails 10% of calls at
 * random, first with 503, then with 429 and an enforced {@code Retry-After: 1}. All retry up to 4
 * attempts with exponential backoff from 100 ms (cap 2 s); (b) uses its defaults otherwise (full
 * jitter, budget on, Retry-After honoured).
 *
 * <pre>mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=overhead.FailureBenchmark -Dbench.args="[calls] [concurrency]"</pre>
 */
public final class FailureBenchmark {

    private FailureBenchmark() {
    }

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Contender.Settings settings = new Contender.Settings(4, Duration.ofMillis(100), Duration.ofSeconds(2), true);
        warmUp(settings, concurrency);
        for (FaultServer.Mode mode : new FaultServer.Mode[] { FaultServer.Mode.UNAVAILABLE, FaultServer.Mode.RATE_LIMITED }) {
            System.out.printf(Locale.ROOT, "%n%s: 10%% of calls fail; %,d calls, %d in flight%n",
                    mode == FaultServer.Mode.UNAVAILABLE ? "503 at random" : "429 with Retry-After: 1 (enforced)", calls,
                    concurrency);
            System.out.println("| client | success rate | attempts per call | retries too early | p50 (ms) | p99 (ms) |");
            System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
            for (Contender contender : Contender.values()) {
                if (contender.timerVariant()) {
                    continue;
                }
                ConnectionProvider pool = ConnectionProvider.builder("failures").maxConnections(concurrency * 2).build();
                try (FaultServer server = new FaultServer(mode, 0.10, 42)) {
                    WebClient client = contender.client(WebClient.builder().baseUrl(server.url())
                        .clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool))), settings);
                    LoadRunner.Result result = LoadRunner.run(calls, concurrency, () -> client.get()
                        .header(FaultServer.CALL_ID, UUID.randomUUID().toString())
                        .retrieve()
                        .toBodilessEntity()
                        .map((entity) -> entity.getStatusCode().value())
                        .onErrorResume(WebClientResponseException.class,
                                (ex) -> reactor.core.publisher.Mono.just(ex.getStatusCode().value())));
                    System.out.printf(Locale.ROOT, "| %s | %.2f%% | %.3f | %,d | %.1f | %.1f |%n", contender.label(),
                            100 * result.successRate(), (double) server.requests() / calls, server.rejectedEarly(),
                            result.percentileMillis(50), result.percentileMillis(99));
                }
                finally {
                    pool.disposeLater().block(Duration.ofSeconds(5));
                }
            }
        }
    }

    /** Runs every contender against a healthy server first, so the JIT has compiled all of them. */
    private static void warmUp(Contender.Settings settings, int concurrency) {
        ConnectionProvider pool = ConnectionProvider.builder("warm-up").maxConnections(concurrency * 2).build();
        try (FaultServer server = new FaultServer(FaultServer.Mode.OK, 0, 1)) {
            WebClient.Builder base = WebClient.builder().baseUrl(server.url())
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)));
            for (Contender contender : Contender.values()) {
                if (contender.timerVariant()) {
                    continue;
                }
                WebClient client = contender.client(base, settings);
                LoadRunner.run(10_000, concurrency, () -> client.get().retrieve().toBodilessEntity()
                    .map((entity) -> entity.getStatusCode().value()));
            }
        }
        finally {
            pool.disposeLater().block(Duration.ofSeconds(5));
        }
    }
}
