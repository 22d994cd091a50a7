package dev.httpretry.restclient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import dev.httpretry.core.RetryClients;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.RecordingListener;
import dev.httpretry.testing.TestServer;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thousand virtual threads, each making a call that is retried once after a wait: every call
 * succeeds, the waits overlap (a wait parks the virtual thread, it does not hold a carrier), and
 * JFR records no {@code jdk.VirtualThreadPinned} event in the retry code. The project compiles for
 * Java 17, so the executor is looked up reflectively and the test runs on 21 and later only.
 */
@EnabledForJreRange(min = JRE.JAVA_21)
class RestClientVirtualThreadTests {

    private static final int CALLS = 1000;

    private static final Duration WAIT = Duration.ofMillis(200);

    private final TestServer server = new TestServer();

    private final ConnectionProvider pool = ConnectionProvider.builder("virtual-threads").maxConnections(200)
        .pendingAcquireMaxCount(-1).pendingAcquireTimeout(Duration.ofSeconds(60)).build();

    @AfterEach
    void stop() {
        this.pool.disposeLater().block(Duration.ofSeconds(5));
        this.server.close();
    }

    enum Factory {
        REACTOR, JDK
    }

    @ParameterizedTest
    @EnumSource(Factory.class)
    void aThousandVirtualThreadsRetryWithoutPinning(Factory kind) throws Exception {
        // each path is answered 503 the first time and 200 the second
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        this.server.otherwise((request, response) -> request.receive().then(Mono.defer(() -> {
            int n = seen.computeIfAbsent(request.uri(), (path) -> new AtomicInteger()).incrementAndGet();
            return response.status(n == 1 ? 503 : 200).sendString(Mono.just("ok")).then();
        })));
        RetryClients clients = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT,
                Harness.fastPolicy().initialDelay(WAIT).maxDelay(WAIT).attemptTimeout(Duration.ofSeconds(30))
                    .deadline(Duration.ofSeconds(60)).build()), Clock.systemUTC());
        RecordingListener listener = new RecordingListener();
        RetryClientHttpRequestInterceptor interceptor = new RetryClientHttpRequestInterceptor(clients, listener);
        ClientHttpRequestFactory factory = (kind == Factory.REACTOR)
                ? new ReactorClientHttpRequestFactory(reactor.netty.http.client.HttpClient.create(this.pool))
                : new JdkClientHttpRequestFactory();
        RestClient client = interceptor.applyTo(RestClient.builder().requestFactory(factory)).baseUrl(this.server.url()).build();
        // one call first, so the pins of first-time class loading under contention do not crowd the record
        ExecutorService warmUp = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        warmUp.submit(() -> client.get().uri("/warm-up").retrieve().body(String.class)).get();
        warmUp.shutdown();
        Path jfr = Files.createTempFile("pinned", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
            recording.start();
            long start = System.nanoTime();
            ExecutorService executor = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
            List<Future<String>> calls;
            try {
                calls = java.util.stream.IntStream.range(0, CALLS)
                    .mapToObj((i) -> executor.submit(() -> client.get().uri("/call/" + i).retrieve().body(String.class)))
                    .toList();
                for (Future<String> call : calls) {
                    assertThat(call.get()).isEqualTo("ok");
                }
            }
            finally {
                executor.shutdown();
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            recording.stop();
            recording.dump(jfr);

            List<RecordedEvent> pinned = RecordingFile.readAllEvents(jfr);
            List<RecordedEvent> ours = pinned.stream().filter(RestClientVirtualThreadTests::inRetryCode).toList();
            System.out.printf("%s: %d calls on virtual threads in %d ms (one %d ms wait each); pinned events: %d, in the retry code: %d %s%n",
                    kind, CALLS, took.toMillis(), WAIT.toMillis(), pinned.size(), ours.size(), describe(pinned));
            assertThat(ours).as("pinned in the retry code").isEmpty();
            Map<String, Long> retriedFor = listener.attempts.stream().filter((event) -> event.retried())
                .collect(java.util.stream.Collectors.groupingBy((event) -> event.decision().category().name(),
                        java.util.TreeMap::new, java.util.stream.Collectors.counting()));
            System.out.printf("%s: retried attempts by category %s; requests %d%n", kind, retriedFor, this.server.requests());
            assertThat(retriedFor).containsExactly(java.util.Map.entry("UNAVAILABLE", CALLS + 1L));
            assertThat(this.server.requests()).isEqualTo(2 * CALLS + 2);
            // the warm-up call counts too. A thousand waits of 200 ms in a row would take 200 s: they overlap
            assertThat(took).isLessThan(Duration.ofSeconds(60));
        }
        finally {
            interceptor.getWaits().stop();
            Files.deleteIfExists(jfr);
        }
    }

    /**
     * Whether the retry code is where the thread blocked while pinned: the first frame outside the
     * JDK is ours (a wait that parks inside a monitor, a monitor of ours). Pins under the JDK's own
     * class loading or a library's monitor, seen from deeper frames, are not ours to fix.
     */
    private static boolean inRetryCode(RecordedEvent event) {
        if (event.getStackTrace() == null) {
            return false;
        }
        return event.getStackTrace().getFrames().stream()
            .map((frame) -> frame.getMethod().getType().getName())
            .filter((type) -> !type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun."))
            .findFirst()
            .map((type) -> type.startsWith("dev.httpretry.restclient.") || type.startsWith("dev.httpretry.core."))
            .orElse(false);
    }

    private static String describe(List<RecordedEvent> events) {
        return events.stream().map((event) -> event.getString("blockingOperation") + " at "
                + event.getStackTrace().getFrames().stream().limit(3).map(RecordedFrame::toString).toList())
            .distinct().limit(5).toList().toString();
    }
}
