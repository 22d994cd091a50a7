package dev.httpretry.benchmarks.soak;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.httpretry.autoconfigure.HttpRetryProperties;
import dev.httpretry.core.RetryClients;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import dev.httpretry.micrometer.RetryMetrics;
import dev.httpretry.actuate.RetryStatistics;
import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.ExceptionClassifier;
import dev.httpretry.core.Jitter;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.StopReason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.util.ResourceLeakDetector;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientException;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import org.springframework.web.reactive.function.client.support.ClientResponseWrapper;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The chaos and leak soak: thousands of GET, PUT and POST calls through a {@link WebClient} with the
 * starter's {@link RetryExchangeFilterFunction}, against a {@link ChaosServer} and, for a share of
 * attempts, a port where nothing listens; over a bounded connection pool with metrics, with Netty's
 * leak detector at {@code PARANOID}.
 *
 * <p>Use: {@link #run()} issues the calls, then {@link #acquiredConnections()} can be awaited to
 * reach zero, then {@link #report(Run)} gathers every count; {@link #close()} restores the leak
 * level and the Reactor hooks and stops the server and the pool. Not thread-safe: one soak at a time.
 */
public final class ChaosSoak implements AutoCloseable {

    private static final String CALL_INDEX = ChaosSoak.class.getName() + ".call";

    private static final String LEAK_LOGGER = "io.netty.util.ResourceLeakDetector";

    /** Calls made after {@link System#gc()}, so the leak detector reports what the collector found. */
    private static final int SURFACING_CALLS = 32;

    private final SoakSettings settings;

    private final ChaosServer server;

    private final Socket closedPort;

    private final ConnectionProvider pool;

    private final RetryClients clients;

    private final Map<String, ConnectionPoolMetrics> poolMetrics = new ConcurrentHashMap<>();

    private final RetryStatistics statistics = new RetryStatistics();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final CallTally tally = new CallTally();

    private final WebClient client;

    private final ListAppender<ILoggingEvent> leaks = new ListAppender<>();

    private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();

    private final ResourceLeakDetector.Level previousLeakLevel;

    /** Guarded by itself: which attempts go to the closed port. */
    private final SplittableRandom refusals;

    private final Map<FaultKind, LongAdder> attemptsByClientFault = new EnumMap<>(FaultKind.class);

    private final LongAdder attemptsSent = new LongAdder();

    /** Per call, the status the retry filter handed up to the caller (0 when it handed up an error). */
    private final AtomicIntegerArray finalStatuses;

    /** Per call, when the Retry-After of the response retried last lets the next attempt go (0: no bound). */
    private final AtomicLongArray notBeforeNanos;

    /** Per call, the HTTP-date of the response retried last, if it gave one. */
    private final AtomicReferenceArray<@Nullable Instant> notBeforeDates;

    private final LongAdder retriedBeforeRetryAfter = new LongAdder();

    private final Clock clock = Clock.systemUTC();

    private final LongAdder droppedErrors = new LongAdder();

    private final LongAdder serverDroppedErrors = new LongAdder();

    private final LongAdder droppedValues = new LongAdder();

    private final LongAdder connectorDroppedConnections = new LongAdder();

    private final Map<String, LongAdder> droppedValueTypes = new ConcurrentHashMap<>();

    private final List<String> droppedSamples = Collections.synchronizedList(new ArrayList<>());

    /**
     * Starts the server, the pool and the client, and turns on the leak detector at {@code PARANOID}.
     * @param settings the soak's knobs
     */
    public ChaosSoak(SoakSettings settings) {
        this.settings = settings;
        this.previousLeakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        this.leaks.start();
        logger(LEAK_LOGGER).addAppender(this.leaks);
        ThresholdFilter warnOrAbove = new ThresholdFilter();
        warnOrAbove.setLevel(Level.WARN.toString());
        warnOrAbove.start();
        this.warnings.addFilter(warnOrAbove);
        this.warnings.start();
        logger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(this.warnings);
        Hooks.onErrorDropped((error) -> {
            boolean client = isClientSide(error);
            (client ? this.droppedErrors : this.serverDroppedErrors).increment();
            sample((client ? "client" : "server") + " error dropped: " + error + ", dropped at " + dropSite());
        });
        Hooks.onNextDropped((value) -> {
            String side;
            if (value instanceof reactor.netty.Connection) {
                // Reactor Netty's own connect sink, signalled once more after it had already ended the
                // exchange: the connection never reached WebClient or the filter, and the pool takes it
                // back itself (the acquired-connections and LEAK checks show it did)
                side = "connector ";
                this.connectorDroppedConnections.increment();
                sample("connection dropped by the connector: " + value.getClass().getName() + ", dropped at " + dropSite());
            }
            else if (isClientType(value.getClass().getName()) || droppedInClient()) {
                side = "client ";
                this.droppedValues.increment();
                sample("client value dropped: " + value.getClass().getName() + ", dropped at " + dropSite());
            }
            else {
                side = "server ";
            }
            this.droppedValueTypes.computeIfAbsent(side + value.getClass().getSimpleName(), (k) -> new LongAdder()).increment();
        });
        this.refusals = new SplittableRandom(settings.seed() ^ 0x7EF5_5EDL);
        this.attemptsByClientFault.put(FaultKind.REFUSED, new LongAdder());
        this.server = new ChaosServer(settings.serverFaults(), settings.seed(), this.clock);
        this.closedPort = closedPort();
        this.pool = ConnectionProvider.builder("chaos-soak")
            .maxConnections(settings.concurrency())
            .pendingAcquireTimeout(Duration.ofSeconds(5))
            .metrics(true, () -> (poolName, id, remoteAddress, metrics) -> this.poolMetrics.put(id + " " + remoteAddress, metrics))
            .build();
        RetryClients clients = properties(settings).toClients(Clock.systemUTC());
        this.clients = clients;
        RetryListener listeners = RetryListener.composite(
                List.of(this.statistics, new RetryMetrics(this.registry, clients), this.tally));
        this.finalStatuses = new AtomicIntegerArray(settings.calls());
        this.notBeforeNanos = new AtomicLongArray(settings.calls());
        this.notBeforeDates = new AtomicReferenceArray<>(settings.calls());
        ExchangeFilterFunction perAttempt = this::perAttempt;
        ExchangeFilterFunction recordFinalStatus = (request, next) -> next.exchange(request)
            .doOnNext((response) -> request.attribute(CALL_INDEX)
                .ifPresent((index) -> this.finalStatuses.set((Integer) index, response.statusCode().value())));
        this.client = WebClient.builder()
            .baseUrl(this.server.url())
            .clientConnector(new ReactorClientHttpConnector(HttpClient.create(this.pool)))
            .filter(recordFinalStatus)
            .filter(new RetryExchangeFilterFunction(clients, listeners))
            .filter(perAttempt)
            .build();
    }

    /** The {@value RetryMetrics#HEDGES} counters by outcome (won, lost, refused). */
    private Map<String, Long> hedges() {
        Map<String, Long> hedges = new TreeMap<>();
        this.registry.find(RetryMetrics.HEDGES).counters()
            .forEach((counter) -> hedges.merge(String.valueOf(counter.getId().getTag("outcome")), (long) counter.count(), Long::sum));
        return hedges;
    }

    /** The policy the soak runs under, set through the starter's own properties. */
    static HttpRetryProperties properties(SoakSettings settings) {
        HttpRetryProperties properties = new HttpRetryProperties();
        properties.setMaxAttempts(settings.maxAttempts());
        properties.getBackoff().setInitialDelay(settings.initialDelay());
        properties.getBackoff().setMultiplier(2.0);
        properties.getBackoff().setMaxDelay(settings.maxDelay());
        properties.getBackoff().setJitter(Jitter.FULL);
        properties.setAttemptTimeout(settings.attemptTimeout());
        properties.setDeadline(settings.deadline());
        properties.setConnectionRefusedMinDelay(settings.connectionRefusedMinDelay());
        properties.getBudget().setEnabled(true);
        properties.getBudget().setRatio(settings.budgetRatio());
        properties.getBudget().setMinRetriesPerSecond(settings.budgetMinRetriesPerSecond());
        if (!settings.hedgingDelay().isZero()) {
            properties.getHedging().setEnabled(true);
            properties.getHedging().setDelay(settings.hedgingDelay());
        }
        return properties;
    }

    /**
     * Issues every call, at most {@code concurrency} at once, and waits for each to end (bounded by
     * {@code maxRunTime}); then collects garbage and makes a few calm calls so that the leak detector
     * reports any buffer the collector found unreleased.
     * @return what the callers saw
     */
    public Run run() {
        int calls = this.settings.calls();
        AtomicIntegerArray states = new AtomicIntegerArray(calls);
        AtomicLongArray durations = new AtomicLongArray(calls);
        CallerCounts counts = new CallerCounts();
        long start = System.nanoTime();
        @Nullable Throwable runError = null;
        try {
            Flux.range(0, calls)
                .flatMap((i) -> call(i, states, durations, counts), this.settings.concurrency(), 1)
                .then()
                .block(this.settings.maxRunTime());
        }
        catch (RuntimeException ex) {
            runError = ex;
        }
        long elapsed = System.nanoTime() - start;
        RetryStatistics.Snapshot afterCalls = this.statistics.snapshot(RetryClients.DEFAULT_CLIENT);
        long attemptsAfterCalls = this.attemptsSent.sum();
        Map<StopReason, Long> reasonsAfterCalls = this.tally.reasons();
        double meteredCalls = this.registry.find(RetryMetrics.CALLS).counters().stream().mapToDouble((c) -> c.count()).sum();
        Map<String, Long> attemptsByCategory = this.tally.attempts();
        int surfacing = surfaceLeaks();
        return new Run(calls, states, durations, counts, elapsed, runError, afterCalls, attemptsAfterCalls,
                reasonsAfterCalls, this.tally.byMethod(), attemptsByCategory, (long) meteredCalls, surfacing);
    }

    private Mono<Void> call(int index, AtomicIntegerArray states, AtomicLongArray durations, CallerCounts counts) {
        String callId = "call-" + index;
        HttpMethod method = switch (index % 3) {
            case 0 -> HttpMethod.GET;
            case 1 -> HttpMethod.PUT;
            default -> HttpMethod.POST;
        };
        boolean keyed = method == HttpMethod.POST && (index / 3) % 2 == 0;
        // calls spread over two destinations (two names of this host), each with its own budget
        String base = (index % 2 == 0) ? this.server.url() : this.server.otherUrl();
        WebClient.RequestBodySpec spec = this.client.method(method)
            .uri(base + "/soak/{id}", callId)
            .attribute(CALL_INDEX, index)
            .header(ChaosServer.CALL_ID, callId);
        if (keyed) {
            spec = spec.header(ChaosServer.IDEMPOTENCY_KEY, "idem-" + Long.toHexString(this.settings.seed()) + "-" + index);
        }
        // a body that can be read once, as an upload is: a retry must send it again whole, never empty or cut
        ByteArrayInputStream once = new ByteArrayInputStream(ChaosServer.payload(callId));
        WebClient.RequestHeadersSpec<?> request = (method == HttpMethod.GET) ? spec
                : spec.body(BodyInserters.fromDataBuffers(DataBufferUtils.readInputStream(() -> once,
                        DefaultDataBufferFactory.sharedInstance, 4096)));
        // a call that never ends is cut here, well after its deadline, and counted as hung
        Duration watchdog = this.settings.deadline().plusSeconds(10);
        return Mono.defer(() -> {
            long started = System.nanoTime();
            counts.issued.increment();
            return request.retrieve()
                .bodyToMono(String.class)
                .timeout(watchdog, Mono.error(() -> new HungCallException(callId, watchdog)))
                .doOnSuccess((body) -> {
                    durations.set(index, System.nanoTime() - started);
                    if (body != null && body.startsWith("ok " + callId + " ")) {
                        settle(states, index, CallerCounts.SUCCESS, counts);
                    }
                    else {
                        counts.failureKinds.computeIfAbsent(body == null ? "empty body" : "wrong body", (k) -> new LongAdder())
                            .increment();
                        settle(states, index, CallerCounts.FAILURE, counts);
                    }
                })
                .doOnError((error) -> {
                    durations.set(index, System.nanoTime() - started);
                    String kind = describe(error, this.finalStatuses.get(index));
                    counts.failureKinds.computeIfAbsent(kind, (k) -> new LongAdder()).increment();
                    if (!isExpected(error)) {
                        // not an outcome the chaos can explain: keep the first of each kind whole
                        counts.unexpected.computeIfAbsent(kind, (k) -> callId + ": " + stackTrace(error));
                    }
                    if (error instanceof HungCallException) {
                        counts.hung.increment();
                    }
                    settle(states, index, CallerCounts.FAILURE, counts);
                })
                .onErrorResume((error) -> Mono.empty())
                .then();
        });
    }

    private static void settle(AtomicIntegerArray states, int index, int state, CallerCounts counts) {
        if (states.compareAndSet(index, CallerCounts.PENDING, state)) {
            (state == CallerCounts.SUCCESS ? counts.successes : counts.failures).increment();
        }
        else {
            counts.doubleSignals.increment();
        }
    }

    /**
     * Whether the chaos explains this failure: a final error status, a transport failure the
     * connector reports (wrapped by WebClient), or the filter's own timeouts.
     */
    private static boolean isExpected(Throwable error) {
        return error instanceof WebClientException || error instanceof TimeoutException;
    }

    private static String stackTrace(Throwable error) {
        StringWriter out = new StringWriter();
        error.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    /** What the caller saw: the exception's type (and status), its root cause, and whether the filter had passed on a 2xx. */
    private static String describe(Throwable error, int finalStatus) {
        String outer = error.getClass().getSimpleName();
        if (error instanceof WebClientResponseException response) {
            outer = "WebClientResponseException " + response.getStatusCode().value();
        }
        Throwable root = ExceptionClassifier.rootCause(error);
        String kind = (root == error) ? outer : outer + " / " + root.getClass().getSimpleName();
        return (finalStatus >= 200 && finalStatus < 300) ? "body failed after " + finalStatus + ": " + kind : kind;
    }

    /**
     * Below the retry filter, so once per attempt: counts the attempt, checks that it does not come
     * before the {@code Retry-After} of the response the retry filter released for this call, and
     * sends a share of attempts to the closed port.
     */
    private Mono<ClientResponse> perAttempt(ClientRequest request, ExchangeFunction next) {
        this.attemptsSent.increment();
        int index = (Integer) request.attribute(CALL_INDEX).orElse(-1);
        if (index >= 0) {
            checkRetryAfter(index);
        }
        boolean calm = request.headers().containsHeader(ChaosServer.CALM);
        boolean refuse;
        synchronized (this.refusals) {
            refuse = this.refusals.nextInt(100) < this.settings.refusedPercent();
        }
        ClientRequest target = request;
        if (!calm && refuse) {
            java.util.Objects.requireNonNull(this.attemptsByClientFault.get(FaultKind.REFUSED)).increment();
            URI closed = UriComponentsBuilder.fromUri(request.url()).port(this.closedPort.getLocalPort()).build(true).toUri();
            target = ClientRequest.from(request).url(closed).build();
        }
        Mono<ClientResponse> exchange = next.exchange(target);
        return (index < 0) ? exchange : exchange.map((response) -> new RetryAfterRecorder(response, index));
    }

    private void checkRetryAfter(int index) {
        long notBefore = this.notBeforeNanos.getAndSet(index, 0);
        Instant notBeforeDate = this.notBeforeDates.getAndSet(index, null);
        long now = System.nanoTime();
        Instant wallNow = this.clock.instant();
        if ((notBefore != 0 && now - notBefore < 0) || (notBeforeDate != null && wallNow.isBefore(notBeforeDate))) {
            this.retriedBeforeRetryAfter.increment();
            sample("call-" + index + " attempt sent " + ((notBefore != 0) ? ((notBefore - now) / 1000) + " us before a delta Retry-After passed"
                    : Duration.between(wallNow, notBeforeDate).toNanos() / 1000 + " us before the HTTP-date " + notBeforeDate));
        }
    }

    /**
     * The retry filter reads a response's status and headers to decide on it, and releases the
     * body of one it retries just before the wait: from then on, the response's {@code Retry-After}
     * bounds the next attempt of the call. A response released without being read first is one
     * that arrived after its attempt had timed out: the filter never saw its {@code Retry-After}.
     */
    private final class RetryAfterRecorder extends ClientResponseWrapper {

        private final int index;

        private volatile boolean read;

        RetryAfterRecorder(ClientResponse delegate, int index) {
            super(delegate);
            this.index = index;
        }

        @Override
        public ClientResponse.Headers headers() {
            this.read = true;
            return super.headers();
        }

        @Override
        public Mono<Void> releaseBody() {
            String retryAfter = response().headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER);
            if (this.read && retryAfter != null && !retryAfter.isBlank()) {
                if (retryAfter.chars().allMatch(Character::isDigit)) {
                    long seconds = Long.parseLong(retryAfter);
                    if (seconds > 0) {
                        ChaosSoak.this.notBeforeNanos.set(this.index, System.nanoTime() + seconds * 1_000_000_000L);
                    }
                }
                else {
                    ChaosSoak.this.notBeforeDates.set(this.index,
                            ZonedDateTime.parse(retryAfter, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                }
            }
            return super.releaseBody();
        }
    }

    /** After the run: collect garbage twice, each time followed by calm calls, so leak reports surface. */
    private int surfaceLeaks() {
        int made = 0;
        for (int r = 0; r < 2; r++) {
            int round = r;
            System.gc();
            made += Flux.range(0, SURFACING_CALLS / 2)
                .concatMap((i) -> this.client.get()
                    .uri("/calm/{i}", i)
                    .header(ChaosServer.CALL_ID, "calm-" + round + "-" + i)
                    .header(ChaosServer.CALM, "true")
                    .retrieve()
                    .bodyToMono(String.class)
                    .onErrorResume((error) -> Mono.empty()))
                .count()
                .blockOptional(Duration.ofSeconds(30))
                .orElse(0L)
                .intValue();
        }
        return made;
    }

    /**
     * Connections the pools hand out right now, over every remote address (the server's and the closed port's).
     * @return the acquired connections
     */
    public int acquiredConnections() {
        return this.poolMetrics.values().stream().mapToInt(ConnectionPoolMetrics::acquiredSize).sum();
    }

    /**
     * Gathers every count after a run.
     * @param run what {@link #run()} returned
     * @return the report
     */
    public SoakReport report(Run run) {
        int calls = run.calls();
        int pending = 0;
        for (int i = 0; i < calls; i++) {
            if (run.states().get(i) == CallerCounts.PENDING) {
                pending++;
            }
        }
        long[] durations = new long[calls];
        for (int i = 0; i < calls; i++) {
            durations[i] = run.durations().get(i);
        }
        Arrays.sort(durations);
        // Per call id, what reached the server
        long unsafePostsDuplicated = 0;
        long unsafePostsSeen = 0;
        long keyedPostsResent = 0;
        Map<String, long[]> resentByMethod = new TreeMap<>();
        for (int i = 0; i < calls; i++) {
            ChaosServer.Received received = this.server.received("call-" + i);
            if (received == null) {
                continue;
            }
            String group = received.method() + (received.method().equals("POST") ? (received.idempotencyKey() ? " with key" : " without key") : "");
            long[] counts = resentByMethod.computeIfAbsent(group, (k) -> new long[2]);
            counts[0]++;
            if (received.count() > 1) {
                counts[1]++;
            }
            if (received.method().equals("POST") && !received.idempotencyKey()) {
                unsafePostsSeen++;
                if (received.count() > 1) {
                    unsafePostsDuplicated++;
                }
            }
            else if (received.method().equals("POST") && received.count() > 1) {
                keyedPostsResent++;
            }
        }
        Map<String, Long> failureKinds = new TreeMap<>();
        run.counts().failureKinds.forEach((kind, count) -> failureKinds.put(kind, count.sum()));
        Map<String, Long> warningsByLogger = new TreeMap<>();
        synchronized (this.warnings) {
            for (ILoggingEvent event : List.copyOf(this.warnings.list)) {
                warningsByLogger.merge(event.getLevel() + " " + event.getLoggerName() + ": " + firstLine(event.getFormattedMessage()), 1L,
                        Long::sum);
            }
        }
        long leakReports;
        synchronized (this.leaks) {
            leakReports = this.leaks.list.stream().filter((event) -> event.getFormattedMessage().contains("LEAK:")).count();
        }
        Map<FaultKind, Long> byFault = new EnumMap<>(this.server.requestsByFault());
        byFault.put(FaultKind.REFUSED, java.util.Objects.requireNonNull(this.attemptsByClientFault.get(FaultKind.REFUSED)).sum());
        return new SoakReport(this.settings, calls, run.counts().issued.sum(), run.counts().successes.sum(),
                run.counts().failures.sum(), run.counts().hung.sum(), run.counts().doubleSignals.sum(), pending,
                failureKinds, new TreeMap<>(run.counts().unexpected), run.statistics(), run.reasonsAfterCalls(), run.reasonsByMethod(), run.attemptsByCategory(), run.meteredCalls(), run.attempts(),
                this.server.requests(), this.server.requestsWithoutCallId(), this.retriedBeforeRetryAfter.sum(), byFault, unsafePostsSeen,
                unsafePostsDuplicated, keyedPostsResent, resentByMethod, leakReports, acquiredConnections(),
                this.poolMetrics.size(), this.server.bodiesWhole(), this.server.bodiesWrong(),
                this.clients.get(RetryClients.DEFAULT_CLIENT).budgets().size(), this.droppedErrors.sum(), this.serverDroppedErrors.sum(), this.droppedValues.sum(), this.connectorDroppedConnections.sum(), sums(this.droppedValueTypes),
                List.copyOf(this.droppedSamples), hedges(),
                warningsByLogger, run.surfacingCalls(), run.elapsedNanos(), durations, run.error());
    }

    private static Map<String, Long> sums(Map<String, LongAdder> counts) {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((key, count) -> copy.put(key, count.sum()));
        return copy;
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        String line = (newline < 0) ? message : message.substring(0, newline);
        // connection ids and ports vary from event to event; group by the message's shape
        return line.replaceAll("\\[[0-9a-f]{8}[^\\]]*\\]", "[id]").replaceAll("\\d+", "N");
    }

    /**
     * Whether a dropped error belongs to the client's call chain (a WebClient exception, one of the
     * filter's own, or dropped by an operator of the client or the filter) rather than to the chaos
     * server, whose handlers may still fail after the client hung up.
     */
    private static boolean isClientSide(Throwable error) {
        for (Throwable link : ExceptionClassifier.causeChain(error)) {
            if (isClientType(link.getClass().getName())) {
                return true;
            }
        }
        return droppedInClient();
    }

    private static boolean isClientType(String type) {
        return type.startsWith("dev.httpretry.") || type.startsWith("org.springframework.web.reactive.function.client.")
                || type.startsWith("org.springframework.http.client.") || type.startsWith("reactor.netty.http.client.");
    }

    private static boolean droppedInClient() {
        return StackWalker.getInstance().walk((frames) -> frames.anyMatch((frame) -> isClientType(frame.getClassName())));
    }

    /** The operator that dropped a signal: the first frames of this thread's stack below Reactor's hook machinery. */
    private static String dropSite() {
        return StackWalker.getInstance().walk((frames) -> frames
            .map((frame) -> frame.getClassName().replaceAll("^.*\\.", "") + "." + frame.getMethodName() + ":" + frame.getLineNumber())
            .filter((frame) -> !frame.startsWith("ChaosSoak") && !frame.startsWith("Operators.") && !frame.startsWith("Hooks"))
            .limit(24)
            .collect(java.util.stream.Collectors.joining(" < ")));
    }

    private void sample(String text) {
        if (this.droppedSamples.size() < 10) {
            this.droppedSamples.add(text);
        }
    }

    @Override
    public void close() {
        logger(LEAK_LOGGER).detachAppender(this.leaks);
        logger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(this.warnings);
        Hooks.resetOnErrorDropped();
        Hooks.resetOnNextDropped();
        ResourceLeakDetector.setLevel(this.previousLeakLevel);
        this.pool.disposeLater().block(Duration.ofSeconds(10));
        this.server.close();
        try {
            this.closedPort.close();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A port on 127.0.0.1 that is bound but never listens, so every connection to it is refused,
     * and no other process can take it while the soak runs.
     */
    private static Socket closedPort() {
        try {
            Socket socket = new Socket();
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static Logger logger(String name) {
        return (Logger) LoggerFactory.getLogger(name);
    }

    /** A call did not end within its deadline plus ten seconds. */
    static final class HungCallException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        HungCallException(String callId, Duration watchdog) {
            super(callId + " did not end within " + watchdog, null, false, false);
        }
    }

    /** The callers' own counts, from their subscriber callbacks. */
    static final class CallerCounts {

        static final int PENDING = 0;

        static final int SUCCESS = 1;

        static final int FAILURE = 2;

        final LongAdder issued = new LongAdder();

        final LongAdder successes = new LongAdder();

        final LongAdder failures = new LongAdder();

        final LongAdder hung = new LongAdder();

        final LongAdder doubleSignals = new LongAdder();

        final Map<String, LongAdder> failureKinds = new ConcurrentHashMap<>();

        /** The first failure of each kind that no fault explains, with its stack trace. */
        final Map<String, String> unexpected = new ConcurrentHashMap<>();
    }

    /**
     * What {@link #run()} saw.
     * @param calls calls meant to be issued
     * @param states each call's end: pending, success or failure
     * @param durations each call's duration in nanoseconds
     * @param counts the callers' counts
     * @param elapsedNanos the run's wall time
     * @param error what cut the run short, if anything
     * @param statistics the filter's {@link RetryStatistics} right after the calls
     * @param attempts attempts that went through the connector filter, right after the calls
     * @param reasonsAfterCalls call ends by reason, from the soak's listener
     * @param reasonsByMethod call ends by method and reason
     * @param attemptsByCategory attempts by category, method and decision, from the soak's listener
     * @param meteredCalls the sum of the {@value RetryMetrics#CALLS} counters right after the calls
     * @param surfacingCalls calm calls made after the collection
     */
    public record Run(int calls, AtomicIntegerArray states, AtomicLongArray durations, CallerCounts counts, long elapsedNanos,
            @Nullable Throwable error, RetryStatistics.Snapshot statistics, long attempts, Map<StopReason, Long> reasonsAfterCalls,
            Map<String, Long> reasonsByMethod, Map<String, Long> attemptsByCategory, long meteredCalls, int surfacingCalls) {
    }

    /** Tallies call ends and remembers, per call, the status the retry filter handed up. */
    final class CallTally implements RetryListener {

        private final Map<String, LongAdder> byMethod = new ConcurrentHashMap<>();

        private final Map<StopReason, LongAdder> reasons = new ConcurrentHashMap<>();

        private final Map<String, LongAdder> attempts = new ConcurrentHashMap<>();

        @Override
        public void onAttempt(AttemptEvent event) {
            String decision = (event.decision() instanceof RetryDecision.Stop stop) ? "stop: " + stop.reason().tagValue() : "retried";
            String method = event.method().equals("POST") ? "POST" : "GET/PUT";
            this.attempts.computeIfAbsent(event.decision().category() + " | " + method + " | " + decision, (k) -> new LongAdder())
                .increment();
        }

        Map<String, Long> attempts() {
            Map<String, Long> copy = new TreeMap<>();
            this.attempts.forEach((key, count) -> copy.put(key, count.sum()));
            return copy;
        }

        @Override
        public void onCallEnd(CallEvent event) {
            this.reasons.computeIfAbsent(event.reason(), (r) -> new LongAdder()).increment();
            this.byMethod.computeIfAbsent(event.method() + " " + event.reason().tagValue(), (r) -> new LongAdder()).increment();
        }

        Map<StopReason, Long> reasons() {
            Map<StopReason, Long> copy = new EnumMap<>(StopReason.class);
            this.reasons.forEach((reason, count) -> copy.put(reason, count.sum()));
            return copy;
        }

        Map<String, Long> byMethod() {
            Map<String, Long> copy = new TreeMap<>();
            this.byMethod.forEach((key, count) -> copy.put(key, count.sum()));
            return copy;
        }
    }
}
