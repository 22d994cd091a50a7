package dev.httpretry.benchmarks.overhead;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.httpretry.core.AttemptTimeoutException;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.webclient.HashedWheelScheduler;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import io.netty.handler.timeout.ReadTimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * How late the attempt timeout fires, per timer: a server on 127.0.0.1 accepts every request and
 * never answers; each call makes one attempt with an attempt timeout of 10 ms, 100 ms or 1 s, and
 * its lateness is the time from the attempt's start to the caller's {@code AttemptTimeoutException}
 * less the timeout. The filter runs on Reactor's parallel scheduler (a ScheduledThreadPoolExecutor)
 * and on the timer wheel with ticks of 1, 5 and 10 ms; Reactor Netty's own {@code responseTimeout}
 * (armed on the connection's event loop once the request is sent, so measured from then) is the
 * reference. Each round makes {@code calls} calls at once per timer and timeout, timers interleaved;
 * every call's lateness is kept and the median and p99 over all rounds reported.
 *
 * <pre>mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=overhead.TimerPrecision -Dbench.args="[calls] [rounds]"</pre>
 */
public final class TimerPrecision {

    private static final String CALL_ID = "X-Call-Id";

    private TimerPrecision() {
    }

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        // Reactor Netty logs a WARN for each response timeout: the console is not what is measured
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("reactor.netty.http.client.HttpClientConnect"))
            .setLevel(ch.qos.logback.classic.Level.ERROR);
        List<Duration> timeouts = List.of(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1));
        Map<String, Supplier<Scheduler>> timers = new LinkedHashMap<>();
        HashedWheelScheduler wheel1 = HashedWheelScheduler.create(Duration.ofMillis(1));
        HashedWheelScheduler wheel5 = HashedWheelScheduler.create(Duration.ofMillis(5));
        HashedWheelScheduler wheel10 = HashedWheelScheduler.create(Duration.ofMillis(10));
        timers.put("filter on Schedulers.parallel()", Schedulers::parallel);
        timers.put("filter on the wheel, tick 1 ms (default)", () -> wheel1);
        timers.put("filter on the wheel, tick 5 ms", () -> wheel5);
        timers.put("filter on the wheel, tick 10 ms", () -> wheel10);
        String reactorNetty = "Reactor Netty responseTimeout (bare client)";
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
            .handle((request, response) -> Mono.never())
            .bindNow();
        ConnectionProvider pool = ConnectionProvider.builder("precision").maxConnections(calls * 2)
            .pendingAcquireMaxCount(-1).build();
        Map<String, Long> sent = new ConcurrentHashMap<>();
        HttpClient http = HttpClient.create(pool).doAfterRequest((request, connection) -> {
            String id = request.requestHeaders().get(CALL_ID);
            if (id != null) {
                sent.put(id, System.nanoTime());
            }
        });
        String url = "http://127.0.0.1:" + server.port() + "/";
        Map<String, Map<Duration, List<Double>>> lateness = new LinkedHashMap<>();
        try {
            System.out.printf(Locale.ROOT, "Timer precision: %d calls at once per timer and timeout, %d rounds (+1 warm-up)%n",
                    calls, rounds);
            for (int round = -1; round < rounds; round++) {
                for (Duration timeout : timeouts) {
                    for (Map.Entry<String, Supplier<Scheduler>> timer : timers.entrySet()) {
                        WebClient client = filtered(WebClient.builder().baseUrl(url)
                            .clientConnector(new ReactorClientHttpConnector(http)), timeout, timer.getValue());
                        double[] late = run(client, calls, timeout, null);
                        if (round >= 0) {
                            add(lateness, timer.getKey(), timeout, late);
                        }
                    }
                    WebClient bare = WebClient.builder().baseUrl(url)
                        .clientConnector(new ReactorClientHttpConnector(http.responseTimeout(timeout))).build();
                    double[] late = run(bare, calls, timeout, sent);
                    if (round >= 0) {
                        add(lateness, reactorNetty, timeout, late);
                    }
                }
                System.out.printf(Locale.ROOT, "  round %d done%n", round);
            }
        }
        finally {
            wheel1.dispose();
            wheel5.dispose();
            wheel10.dispose();
            pool.disposeLater().block(Duration.ofSeconds(5));
            server.disposeNow();
        }
        System.out.println();
        System.out.println("| timer | lateness at 10 ms: p50 / p99 (ms) | at 100 ms: p50 / p99 (ms) | at 1 s: p50 / p99 (ms) |");
        System.out.println("| --- | ---: | ---: | ---: |");
        lateness.forEach((timer, byTimeout) -> {
            StringBuilder row = new StringBuilder("| ").append(timer).append(" |");
            for (Duration timeout : timeouts) {
                double[] all = byTimeout.get(timeout).stream().mapToDouble(Double::doubleValue).sorted().toArray();
                row.append(String.format(Locale.ROOT, " %.2f / %.2f |", percentile(all, 50), percentile(all, 99)));
            }
            System.out.println(row);
        });
        System.out.println();
        System.out.println("Lateness is never negative unless a timer fired early; the smallest seen, per timer (ms):");
        lateness.forEach((timer, byTimeout) -> System.out.printf(Locale.ROOT, "  %s: %.3f%n", timer,
                byTimeout.values().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).min().orElse(Double.NaN)));
    }

    private static WebClient filtered(WebClient.Builder builder, Duration timeout, Supplier<Scheduler> scheduler) {
        RetryPolicy policy = RetryPolicy.builder()
            .maxAttempts(1)
            .attemptTimeout(timeout)
            .deadline(timeout.multipliedBy(20))
            .budgetEnabled(false)
            .build();
        RetryClients clients = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, policy), Clock.systemUTC());
        return new RetryExchangeFilterFunction(clients, RetryListener.NONE).withScheduler(scheduler).applyTo(builder).build();
    }

    /** Lateness of each call in ms; {@code sent}, when given, holds when each request went out (else the call's start counts). */
    private static double[] run(WebClient client, int calls, Duration timeout, @Nullable Map<String, Long> sent) {
        long timeoutNanos = timeout.toNanos();
        double[] late = new double[calls];
        Flux.range(0, calls).flatMap((i) -> Mono.defer(() -> {
            String id = Integer.toString(System.identityHashCode(late)) + "-" + i;
            long start = System.nanoTime();
            return client.get().header(CALL_ID, id).retrieve().toBodilessEntity()
                .then(Mono.<Double>error(new IllegalStateException("The server answered")))
                .onErrorResume((error) -> isTimeout(error), (error) -> {
                    long end = System.nanoTime();
                    Long requestSent = (sent != null) ? sent.remove(id) : null;
                    long from = (requestSent != null) ? requestSent : start;
                    return Mono.just((end - from - timeoutNanos) / 1e6);
                })
                .doOnNext((ms) -> late[i] = ms);
        }), calls).blockLast(timeout.multipliedBy(30).plusSeconds(10));
        return late;
    }

    private static boolean isTimeout(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof AttemptTimeoutException || cause instanceof ReadTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static void add(Map<String, Map<Duration, List<Double>>> lateness, String timer, Duration timeout, double[] late) {
        List<Double> list = lateness.computeIfAbsent(timer, (t) -> new LinkedHashMap<>())
            .computeIfAbsent(timeout, (t) -> new ArrayList<>());
        Arrays.stream(late).forEach(list::add);
    }

    static double percentile(double[] sorted, double percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
    }
}
