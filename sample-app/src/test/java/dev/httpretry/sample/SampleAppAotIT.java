package dev.httpretry.sample;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged app, AOT-processed at build time, started with {@code -Dspring.aot.enabled=true}:
 * it answers, its start-up demo calls the upstream through the named client {@code upstream}
 * (whose base URL follows the port given at run time, not the one seen at build time), and the
 * {@code retry} endpoint reports that client.
 */
class SampleAppAotIT {

    private static final Duration START_LIMIT = Duration.ofMinutes(3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void packagedAppRunsAotProcessedWithItsNamedClient() throws Exception {
        Path jar = Path.of(System.getProperty("sample.jar", "target/sample-app-0.1.0-SNAPSHOT.jar"));
        assertThat(jar).exists();
        int port = freePort();
        Path log = jar.resolveSibling("sample-app-aot-it.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process app = new ProcessBuilder(List.of(java, "-Dspring.aot.enabled=true", "-jar", jar.toString(),
                "--server.port=" + port, "--sample.demo.calls=20", "--sample.demo.mode=error", "--sample.demo.fail=0.3"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        try {
            String upstream = awaitDemoDone(app, port, log);
            assertThat(Files.readString(log)).contains("Starting AOT-processed SampleApplication");
            // 20 calls through the upstream WebClient and 20 through its RestClient (the budget row)
            assertThat(upstream).contains("\"name\":\"upstream\"").contains("\"total\":40");
            HttpResponse<String> demo = get(port, "/demo?calls=10&fail=0.5&mode=error&format=text");
            assertThat(demo.statusCode()).isEqualTo(200);
            assertThat(demo.body()).contains(Demo.PLAIN, WebFluxDemoConfiguration.RETRYING, WebFluxDemoConfiguration.BUDGET_AT_WORK,
                    WebFluxDemoConfiguration.RETRYING_REST_CLIENT, WebFluxDemoConfiguration.HEDGING);
        }
        finally {
            app.destroy();
            if (!app.waitFor(20, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
    }

    /** Waits until the start-up demo has made its 2 x 20 calls through {@code upstream}; returns that client's state. */
    private String awaitDemoDone(Process app, int port, Path log) throws Exception {
        AtomicReference<String> state = new AtomicReference<>();
        try {
            await().atMost(START_LIMIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!app.isAlive()) {
                    throw new AssertionError("The app stopped with exit code " + app.exitValue() + ":\n" + Files.readString(log));
                }
                try {
                    HttpResponse<String> response = get(port, "/actuator/retry/upstream");
                    state.set(response.body());
                    return response.statusCode() == 200 && response.body().contains("\"total\":40");
                }
                catch (IOException notYetListening) {
                    return false;
                }
            });
        }
        catch (ConditionTimeoutException ex) {
            throw new AssertionError("No finished start-up demo within " + START_LIMIT + ":\n" + Files.readString(log), ex);
        }
        return state.get();
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .build();
        return this.http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
