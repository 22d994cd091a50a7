package dev.httpretry.benchmarks.overhead;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.httpretry.core.BackoffEvent;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.Jitter;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.webclient.HashedWheelScheduler;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Goal 3 of issue 14: many calls waiting in backoff at once. A server on 127.0.0.1 answers a
 * first attempt 503 and any later one 200 (it knows them by the attempt header), so every call
 * waits once. Each run issues all calls at once through the filter (max-attempts 2, a fixed wait
 * with no jitter, budget off), waits until every call is waiting, measures the heap (after full
 * GCs) against the heap before, then lets them wake and checks that every call ended with a 200
 * and nothing was left behind (pending timer tasks, acquired connections, heap back to where it
 * started). Once on Reactor's parallel scheduler, once on the timer wheel.
 *
 * <p>Then the cost of arming and cancelling one wait's timer (schedule, then dispose) while 1k,
 * 10k and 100k others are pending, on each scheduler alone: rounds interleaved, median reported.
 *
 * <pre>mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=overhead.WaitingCalls -Dbench.args="[calls] [wait-seconds]"</pre>
 */
public final class WaitingCalls {

    private static final String ATTEMPT_HEADER = "X-Retry-Attempt";

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private WaitingCalls() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Duration wait = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 30);
        System.out.printf(Locale.ROOT, "Waiting calls: %,d calls, each answered 503 then 200 after a %d s wait; max heap %,d MB%n",
                calls, wait.toSeconds(), Runtime.getRuntime().maxMemory() >> 20);
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
            .handle((request, response) -> request.requestHeaders().contains(ATTEMPT_HEADER)
                    ? response.sendString(Mono.just("ok")).then()
                    : response.status(503).sendString(Mono.just("busy")).then())
            .bindNow();
        List<String> rows = new ArrayList<>();
        try {
            HashedWheelScheduler wheel = HashedWheelScheduler.create(Duration.ofMillis(HashedWheelScheduler.DEFAULT_TICK_MILLIS));
            try {
                rows.add(run("Schedulers.parallel()", Schedulers::parallel, null, server, calls, wait));
                rows.add(run("timer wheel, tick 1 ms", () -> wheel, wheel, server, calls, wait));
            }
            finally {
                wheel.dispose();
            }
        }
        finally {
            server.disposeNow();
        }
        System.out.println();
        System.out.println("| scheduler | calls | all waiting at once | heap per waiting call (bytes) | ended with 200 | "
                + "issue time (s) | wake to last end (s) | pending timer tasks at end | acquired connections at end | heap after - before (MB) |");
        System.out.println("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        rows.forEach(System.out::println);
        armAndCancel();
    }

    private static String run(String label, Supplier<Scheduler> scheduler, @Nullable HashedWheelScheduler wheel, DisposableServer server,
            int calls, Duration wait) throws Exception {
        RetryPolicy policy = RetryPolicy.builder()
            .maxAttempts(2)
            .initialDelay(wait)
            .maxDelay(wait)
            .jitter(Jitter.NONE)
            .attemptTimeout(Duration.ofSeconds(60))
            .deadline(wait.plusSeconds(180))
            .budgetEnabled(false)
            .attemptHeader(ATTEMPT_HEADER)
            .build();
        RetryClients clients = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, policy), Clock.systemUTC());
        AtomicLong waiting = new AtomicLong();
        AtomicLong ended = new AtomicLong();
        RetryListener counts = new RetryListener() {
            @Override
            public void onBackoff(BackoffEvent event) {
                waiting.incrementAndGet();
            }

            @Override
            public void onCallEnd(CallEvent event) {
                ended.incrementAndGet();
            }
        };
        Map<String, ConnectionPoolMetrics> poolMetrics = new ConcurrentHashMap<>();
        ConnectionProvider pool = ConnectionProvider.builder("waiting").maxConnections(256).pendingAcquireMaxCount(-1)
            .pendingAcquireTimeout(Duration.ofSeconds(120))
            .metrics(true, () -> (poolName, id, remoteAddress, metrics) -> poolMetrics.put(id + " " + remoteAddress, metrics))
            .build();
        WebClient client = new RetryExchangeFilterFunction(clients, counts).withScheduler(scheduler)
            .applyTo(WebClient.builder().baseUrl("http://127.0.0.1:" + server.port())
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool))))
            .build();
        // warm up the path and the pool before the heap is measured: the attempt header makes the server answer 200 at once
        Flux.range(0, 2_000).flatMap((i) -> client.get().uri("/warm").header(ATTEMPT_HEADER, "1").retrieve().toBodilessEntity(), 256)
            .blockLast(Duration.ofSeconds(60));
        waiting.set(0);
        ended.set(0);
        long before = usedHeapAfterGc();
        int[] statuses = new int[calls];
        CountDownLatch done = new CountDownLatch(calls);
        List<Disposable> subscriptions = new ArrayList<>(calls);
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            int call = i;
            subscriptions.add(client.get().uri("/call").retrieve().toBodilessEntity()
                .subscribe((entity) -> statuses[call] = entity.getStatusCode().value(),
                        (error) -> {
                            statuses[call] = -1;
                            done.countDown();
                        },
                        done::countDown));
        }
        while (waiting.get() < calls && System.nanoTime() - start < wait.toNanos() - TimeUnit.SECONDS.toNanos(2)) {
            Thread.sleep(10);
        }
        long issued = System.nanoTime() - start;
        boolean allWaiting = waiting.get() == calls && ended.get() == 0;
        long duringWait = usedHeapAfterGc();
        String histogram = histogram(calls);
        boolean finished = done.await(wait.toSeconds() + 180, TimeUnit.SECONDS);
        long lastEnd = System.nanoTime();
        long ok = Arrays.stream(statuses).filter((status) -> status == 200).count();
        subscriptions.clear();
        Thread.sleep(50);
        // Reactor's parallel scheduler tells no count of queued tasks (its BUFFERED attribute is its number of workers)
        long pendingTasks = (wheel != null) ? wheel.pendingTasks() : -1;
        long acquired = poolMetrics.values().stream().mapToInt(ConnectionPoolMetrics::acquiredSize).sum();
        pool.disposeLater().block(Duration.ofSeconds(10));
        long after = usedHeapAfterGc();
        System.out.printf(Locale.ROOT, "%n%s: waiting %,d of %,d after %.1f s; heap %,d -> %,d bytes; finished %s%n", label,
                waiting.get(), calls, issued / 1e9, before, duringWait, finished);
        System.out.println("Largest classes on the heap while all wait (live objects, bytes per waiting call):");
        System.out.print(histogram);
        double wakeToEnd = (lastEnd - start - wait.toNanos()) / 1e9;
        return String.format(Locale.ROOT, "| %s | %,d | %s | %,.0f | %,d | %.1f | %.1f | %s | %s | %+.1f |", label, calls,
                allWaiting ? "yes" : "no (" + waiting.get() + ")", (double) (duringWait - before) / calls, ok, issued / 1e9,
                wakeToEnd, (pendingTasks >= 0) ? String.format(Locale.ROOT, "%,d", pendingTasks) : "n/a", acquired,
                (after - before) / 1e6);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** The live-object histogram's top entries per call, from {@code jcmd GC.class_histogram} on this JVM. */
    private static String histogram(int calls) {
        long pid = ProcessHandle.current().pid();
        String jcmd = System.getProperty("java.home") + "/bin/jcmd";
        try {
            Process process = new ProcessBuilder(jcmd, Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(60, TimeUnit.SECONDS);
            StringBuilder top = new StringBuilder();
            int rows = 0;
            for (String line : out.split("\n")) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length >= 4 && parts[0].endsWith(":") && rows < 25) {
                    long instances = Long.parseLong(parts[1]);
                    long bytes = Long.parseLong(parts[2]);
                    top.append(String.format(Locale.ROOT, "  %8.1f B  %6.2f per call  %s%n", (double) bytes / calls,
                            (double) instances / calls, parts[3]));
                    rows++;
                }
            }
            return top.toString();
        }
        catch (IOException | InterruptedException | NumberFormatException ex) {
            return "  (no histogram: " + ex + ")\n";
        }
    }

    /** Arming and cancelling one timer (schedule, then dispose) with {@code pending} others armed, per scheduler. */
    private static void armAndCancel() {
        int[] pendings = { 1_000, 10_000, 100_000 };
        int operations = 200_000;
        int rounds = 7;
        Map<String, Supplier<Scheduler>> schedulers = new LinkedHashMap<>();
        schedulers.put("Schedulers.parallel() (ScheduledThreadPoolExecutor)", () -> Schedulers.newParallel("arm", 2));
        schedulers.put("timer wheel, tick 1 ms", () -> HashedWheelScheduler.create(Duration.ofMillis(1)));
        Map<String, Map<Integer, List<Double>>> nanos = new LinkedHashMap<>();
        Runnable nothing = () -> {
        };
        for (int round = -2; round < rounds; round++) {
            for (int pending : pendings) {
                for (Map.Entry<String, Supplier<Scheduler>> entry : schedulers.entrySet()) {
                    Scheduler scheduler = entry.getValue().get();
                    try {
                        List<Disposable> armed = new ArrayList<>(pending);
                        for (int i = 0; i < pending; i++) {
                            // spread over an hour, as waits of different lengths would be
                            armed.add(scheduler.schedule(nothing, 600 + (i % 3000), TimeUnit.SECONDS));
                        }
                        long start = System.nanoTime();
                        for (int i = 0; i < operations; i++) {
                            scheduler.schedule(nothing, 30 + (i % 600), TimeUnit.SECONDS).dispose();
                        }
                        double perOperation = (double) (System.nanoTime() - start) / operations;
                        if (round >= 0) {
                            nanos.computeIfAbsent(entry.getKey(), (k) -> new LinkedHashMap<>())
                                .computeIfAbsent(pending, (k) -> new ArrayList<>()).add(perOperation);
                        }
                        armed.forEach(Disposable::dispose);
                    }
                    finally {
                        scheduler.dispose();
                    }
                }
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Arming and cancelling a timer (schedule + dispose, one thread), ns per operation: "
                + "median of %d rounds of %,d, schedulers interleaved%n", rounds, operations);
        System.out.println("| scheduler | 1k pending | 10k pending | 100k pending |");
        System.out.println("| --- | ---: | ---: | ---: |");
        nanos.forEach((label, byPending) -> {
            StringBuilder row = new StringBuilder("| ").append(label).append(" |");
            for (int pending : pendings) {
                row.append(String.format(Locale.ROOT, " %.0f |",
                        HappyPathBenchmark.median(byPending.get(pending).stream().mapToDouble(Double::doubleValue).toArray())));
            }
            System.out.println(row);
        });
    }
}
