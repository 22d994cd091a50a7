package dev.httpretry.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import dev.httpretry.autoconfigure.HttpRetryProperties;
import dev.httpretry.core.RetryListener;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Where the rare call that hears nothing for 10 s on loopback spends its time, and how a hedged call
 * fails where a plain one does not. Section 7's workload
 * (a local server on event loops of its own answers 95% of requests at once and holds 5% for 1 s;
 * 32 calls in flight) through a plain {@code WebClient} (no filter, Reactor Netty's
 * {@code responseTimeout} at the attempt timeout, 10 s), through the retry filter without hedging,
 * and with hedging after 10 ms, interleaved. Every request carries its call's number; the server notes when each arrived
 * and on which connection, the client when each request took its connection, finished writing and
 * got its response. Every call slower than {@code --slow-ms}, and every call that failed, is printed
 * with its timeline and the history of its first request's connection, and each
 * round with the kernel's TCP counters over it ({@code /proc/net/netstat}, {@code /proc/net/snmp}):
 * listen-queue overflows, retransmissions, retransmission timeouts.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=SilentCallTrace [-Dbench.args="--calls 4000 --rounds 3"]
 * </pre>
 */
public final class SilentCallTrace {

    private static final Duration SLOW = Duration.ofSeconds(1);

    private static final String CALL = "x-call";

    private static final String[] COUNTERS = { "ListenOverflows", "ListenDrops", "RetransSegs", "TCPTimeouts",
        "TCPSynRetrans", "TCPLossProbes", "TCPAbortOnData", "TCPAbortOnClose" };

    /** Per request (call and attempt): nanosecond time stamps and connection notes. */
    private static final Map<String, List<String>> EVENTS = new ConcurrentHashMap<>();

    /** Per client connection (its channel id): the requests it carried, in order. */
    private static final Map<String, ConcurrentLinkedQueue<String>> CONNECTION_USES = new ConcurrentHashMap<>();

    /** Per server connection (the client's address): what the server did on it, in order. */
    private static final Map<String, ConcurrentLinkedQueue<String>> SERVER_USES = new ConcurrentHashMap<>();

    private static final long ORIGIN = System.nanoTime();

    private SilentCallTrace() {
    }

    public static void main(String[] args) throws IOException {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
            .setLevel(ch.qos.logback.classic.Level.WARN);
        Options options = Options.parse(args);
        int calls = options.integer("calls", 4_000);
        int rounds = options.integer("rounds", 3);
        int concurrency = options.integer("concurrency", 32);
        long slowMillis = options.longValue("slow-ms", 3_000);
        SplittableRandom random = new SplittableRandom(options.longValue("seed", 42));
        boolean heldOnLoop = Boolean.parseBoolean(options.string("held-on-loop", "false"));
        boolean serverNative = Boolean.parseBoolean(options.string("server-native", "true"));
        List<String> only = List.of(options.string("clients", "plain,filter,hedged").split(","));
        LoopResources serverLoops = LoopResources.create("trace-server", 2, true);
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0).runOn(serverLoops, serverNative)
            .option(io.netty.channel.ChannelOption.SO_BACKLOG, 4096)
            .doOnConnection((connection) -> {
                String remote = "connection " + connection.channel().remoteAddress();
                SERVER_USES.computeIfAbsent(remote, (k) -> new ConcurrentLinkedQueue<>())
                    .add(String.format(Locale.ROOT, "%.3f server accepted it", millis()));
                connection.onDispose(() -> SERVER_USES.get(remote).add(String.format(Locale.ROOT, "%.3f server connection closed", millis())));
            })
            .handle((request, response) -> {
                String id = request.requestHeaders().get(CALL, "?") + "#" + request.requestHeaders().get("x-attempt", "1");
                boolean slow;
                synchronized (random) {
                    slow = random.nextInt(100) < 5;
                }
                String remote = serverConnection(request);
                note(id, "server got it on its " + remote + (slow ? ", holds it 1 s" : ""));
                SERVER_USES.computeIfAbsent(remote, (k) -> new ConcurrentLinkedQueue<>())
                    .add(String.format(Locale.ROOT, "%.3f server handles %s%s", millis(), id, slow ? " (held 1 s)" : ""));
                Mono<Void> answer = response.sendString(Mono.just("ok")).then()
                    .doOnSuccess((done) -> SERVER_USES.get(remote).add(String.format(Locale.ROOT, "%.3f server answered %s", millis(), id)));
                if (!slow) {
                    return answer;
                }
                // held on a timer of Reactor's (the response then written from another thread), or
                // on the connection's own event loop
                return heldOnLoop ? ServerHold.onItsLoop(request, SLOW).then(answer) : Mono.delay(SLOW).then(answer);
            })
            .bindNow();
        String url = "http://127.0.0.1:" + server.port();
        Map<String, WebClient> clients = new LinkedHashMap<>();
        List<ConnectionProvider> pools = new ArrayList<>();
        clients.put("plain", client(url, null, concurrency, pools));
        HttpRetryProperties properties = new HttpRetryProperties();
        properties.setAttemptHeader("x-attempt");
        clients.put("filter", client(url, new RetryExchangeFilterFunction(properties.toClients(Clock.systemUTC()), RetryListener.NONE),
                concurrency, pools));
        properties.getHedging().setEnabled(true);
        properties.getHedging().setDelay("10ms");
        clients.put("hedged", client(url, new RetryExchangeFilterFunction(properties.toClients(Clock.systemUTC()), RetryListener.NONE),
                concurrency, pools));
        clients.keySet().retainAll(only);
        System.out.println("server: " + (serverNative ? "native transport" : "NIO") + ", held responses "
                + (heldOnLoop ? "on the connection's event loop" : "on Reactor's parallel timer") + "; clients " + clients.keySet());
        AtomicLong sequence = new AtomicLong();
        StringBuilder report = new StringBuilder();
        try {
            clients.forEach((name, client) -> run(name, client, 500, concurrency, sequence, Long.MAX_VALUE, new StringBuilder()));
            for (int round = 1; round <= rounds; round++) {
                for (Map.Entry<String, WebClient> entry : clients.entrySet()) {
                    long[] before = counters();
                    String slowCalls = run(entry.getKey(), entry.getValue(), calls, concurrency, sequence, slowMillis, report);
                    long[] after = counters();
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d %-6s %s; kernel:", round, entry.getKey(), slowCalls));
                    for (int i = 0; i < COUNTERS.length; i++) {
                        line.append(' ').append(COUNTERS[i]).append('=').append(after[i] - before[i]);
                    }
                    System.out.println(line);
                    report.append(line).append('\n');
                }
            }
        }
        finally {
            pools.forEach((pool) -> pool.disposeLater().block(Duration.ofSeconds(10)));
            server.disposeNow();
            serverLoops.disposeLater().block(Duration.ofSeconds(10));
        }
        Files.createDirectories(Path.of("results"));
        Files.writeString(Path.of("results", "silent-call-trace.txt"), report);
        System.out.println("wrote results/silent-call-trace.txt");
    }

    private static WebClient client(String url, RetryExchangeFilterFunction filter, int concurrency, List<ConnectionProvider> pools) {
        ConnectionProvider pool = ConnectionProvider.builder("trace").maxConnections(concurrency * 3).pendingAcquireMaxCount(-1)
            .pendingAcquireTimeout(Duration.ofSeconds(60)).build();
        pools.add(pool);
        HttpClient http = HttpClient.create(pool)
            .doOnConnected((connection) -> CONNECTION_USES.computeIfAbsent(id(connection), (k) -> new ConcurrentLinkedQueue<>())
                .add(String.format(Locale.ROOT, "%.3f connected from %s", millis(), connection.channel().localAddress())))
            .doOnRequest((request, connection) -> {
                String id = requestId(request.requestHeaders());
                CONNECTION_USES.computeIfAbsent(id(connection), (k) -> new ConcurrentLinkedQueue<>())
                    .add(String.format(Locale.ROOT, "%.3f request %s", millis(), id));
                note(id, "client took connection " + id(connection) + " " + connection.channel().localAddress());
            })
            .doAfterRequest((request, connection) -> {
                String id = requestId(request.requestHeaders());
                note(id, "client wrote it; took connection " + id(connection) + " " + connection.channel().localAddress());
                CONNECTION_USES.computeIfAbsent(id(connection), (k) -> new ConcurrentLinkedQueue<>())
                    .add(String.format(Locale.ROOT, "%.3f request %s", millis(), id));
            })
            .doOnResponse((response, connection) -> {
                String id = requestId(response.requestHeaders());
                note(id, "client got status " + response.status().code());
                CONNECTION_USES.get(id(connection)).add(String.format(Locale.ROOT, "%.3f answered %s", millis(), id));
            })
            .observe((connection, state) -> CONNECTION_USES.computeIfAbsent(id(connection), (k) -> new ConcurrentLinkedQueue<>())
                .add(String.format(Locale.ROOT, "%.3f %s on %s%s", millis(), state, Thread.currentThread().getName(),
                        connection.channel().isActive() ? "" : " (channel inactive)")))
            .doOnRequestError((request, error) -> note(requestId(request.requestHeaders()), "request error " + error))
            .doOnResponseError((response, error) -> note(requestId(response.requestHeaders()), "response error " + error));
        if (filter == null) {
            http = http.responseTimeout(Duration.ofSeconds(10));
        }
        WebClient.Builder builder = WebClient.builder().baseUrl(url).clientConnector(new ReactorClientHttpConnector(http));
        return (filter != null) ? builder.filter(filter).build() : builder.build();
    }

    /** Runs the calls; prints and reports each one slower than {@code slowMillis}; returns a one-line summary. */
    private static String run(String name, WebClient client, int calls, int concurrency, AtomicLong sequence, long slowMillis,
            StringBuilder report) {
        List<String> slowCalls = new ArrayList<>();
        AtomicLong failed = new AtomicLong();
        AtomicLong longest = new AtomicLong();
        Flux.range(0, calls).flatMap((i) -> {
            String call = name + "-" + sequence.incrementAndGet();
            long start = System.nanoTime();
            note(call + "#1", "call starts");
            return client.get().uri("/").header(CALL, call).retrieve().bodyToMono(String.class)
                .onErrorResume((error) -> {
                    failed.incrementAndGet();
                    note(call + "#1", "call failed: " + error);
                    synchronized (slowCalls) {
                        slowCalls.add(call);
                    }
                    return Mono.just("failed");
                })
                .doOnNext((body) -> {
                    long elapsed = (System.nanoTime() - start) / 1_000_000;
                    longest.accumulateAndGet(elapsed, Math::max);
                    if (elapsed >= slowMillis && !body.equals("failed")) {
                        synchronized (slowCalls) {
                            slowCalls.add(call);
                        }
                    }
                });
        }, concurrency).blockLast(Duration.ofMinutes(10));
        for (String call : slowCalls) {
            StringBuilder trace = new StringBuilder("slow call " + call + ":\n");
            EVENTS.forEach((id, events) -> {
                if (id.startsWith(call + "#")) {
                    events.forEach((event) -> trace.append("  ").append(id).append(' ').append(event).append('\n'));
                }
            });
            EVENTS.forEach((id, events) -> {
                if (!id.startsWith(call + "#")) {
                    return;
                }
                List<String> taken = new ArrayList<>(events);
                taken.stream().filter((e) -> e.contains("server got it on its ")).forEach((e) -> {
                    String remote = e.substring(e.indexOf("on its ") + 7).replace(", holds it 1 s", "");
                    trace.append("  server side of ").append(remote).append(", around ").append(id).append(":\n");
                    around(trace, SERVER_USES.get(remote), "handles " + id, 8, 4);
                });
                taken.stream().filter((e) -> e.contains("took connection")).forEach((e) -> {
                    String connection = e.substring(e.indexOf("connection ") + 11).split(" ")[0];
                    trace.append("  connection ").append(connection).append(" of ").append(id).append(", around it:\n");
                    around(trace, CONNECTION_USES.get(connection), "request " + id, 6, 5);
                });
            });
            System.out.print(trace);
            report.append(trace);
        }
        EVENTS.clear();
        return String.format(Locale.ROOT, "%,d calls, %d failed, longest %,d ms, %d over %,d ms", calls, failed.get(), longest.get(),
                slowCalls.size(), slowMillis);
    }

    /** Appends the entries of {@code history} from {@code before} ahead of the last one naming {@code marker} to {@code after} past it. */
    private static void around(StringBuilder trace, java.util.Collection<String> history, String marker, int before, int after) {
        List<String> uses = (history != null) ? new ArrayList<>(history) : List.of();
        int at = 0;
        for (int u = 0; u < uses.size(); u++) {
            if (uses.get(u).contains(marker)) {
                at = u;
            }
        }
        uses.subList(Math.max(0, at - before), Math.min(uses.size(), at + after))
            .forEach((use) -> trace.append("    ").append(use).append('\n'));
    }

    private static void note(String id, String event) {
        EVENTS.computeIfAbsent(id, (k) -> java.util.Collections.synchronizedList(new ArrayList<>()))
            .add(String.format(Locale.ROOT, "%.3f %s", millis(), event));
    }

    private static String requestId(io.netty.handler.codec.http.HttpHeaders headers) {
        return headers.get(CALL, "?") + "#" + headers.get("x-attempt", "1");
    }

    private static String id(Connection connection) {
        return connection.channel().id().asShortText();
    }

    private static String serverConnection(reactor.netty.http.server.HttpServerRequest request) {
        String[] description = { "connection" };
        request.withConnection((connection) -> description[0] = "connection " + connection.channel().remoteAddress());
        return description[0];
    }

    private static double millis() {
        return (System.nanoTime() - ORIGIN) / 1e6;
    }

    /** The kernel's TCP counters named in {@link #COUNTERS}, summed over both files. */
    private static long[] counters() {
        long[] values = new long[COUNTERS.length];
        for (String file : new String[] { "/proc/net/netstat", "/proc/net/snmp" }) {
            try {
                List<String> lines = Files.readAllLines(Path.of(file));
                for (int l = 0; l + 1 < lines.size(); l += 2) {
                    String[] names = lines.get(l).split("\\s+");
                    String[] numbers = lines.get(l + 1).split("\\s+");
                    for (int n = 1; n < names.length && n < numbers.length; n++) {
                        for (int c = 0; c < COUNTERS.length; c++) {
                            if (names[n].equals(COUNTERS[c])) {
                                values[c] += Long.parseLong(numbers[n]);
                            }
                        }
                    }
                }
            }
            catch (IOException | NumberFormatException ex) {
                // counters are a diagnosis: without them the timelines still tell
            }
        }
        return values;
    }
}
