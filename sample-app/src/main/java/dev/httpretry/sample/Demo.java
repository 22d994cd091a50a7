package dev.httpretry.sample;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.httpretry.client.RetryRequests;
import dev.httpretry.core.StopReason;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.PrematureCloseException;

import reactor.core.scheduler.Schedulers;

import org.springframework.core.env.Environment;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * Makes the same calls to the {@link FlakyUpstream} twice: first through the {@code upstream}
 * client with retrying turned off for each request ({@link RetryRequests#noRetry()}), then through
 * the same client as configured under {@code http.retry.clients.upstream}. Both runs share the
 * client's connection pool, codecs and observation; the only difference is the retry filter. A third
 * run makes the same calls with the blocking {@code upstreamRestClient} (qualified {@code upstream}),
 * each on a {@code boundedElastic} thread: the same policy and budget, through the RestClient interceptor.
 * It follows the retrying run at once, so it draws on a budget that run has partly spent: refused
 * retries show as stop reason {@code budget}, which is what one budget per client name means.
 *
 * <p>The upstream is this app itself, so its URL needs the server's port, which is known only once
 * the server runs (with {@code server.port=0} it is chosen then). The {@code upstream} bean keeps its
 * configured {@code base-url} when that already points at this server (the usual {@code java -jar}
 * case); otherwise the demo derives a client from it with {@code mutate().baseUrl(...)}, which keeps
 * the retry filter, so the calls still run under the {@code upstream} policy and budget.
 *
 * <p>Thread-safe; demonstrations may run concurrently (the stop reasons of concurrent runs mix).
 */
public final class Demo {

    /** The label of the run without retries. */
    public static final String PLAIN = "plain (no retry)";

    /** The label of the run through the retrying client. */
    public static final String RETRYING = "retrying (upstream)";

    /** The label of the run through the retrying RestClient. */
    public static final String RETRYING_REST_CLIENT = "retrying RestClient (upstream)";

    /** The name of the retry client the demo uses. */
    public static final String CLIENT = "upstream";

    private static final int WARM_UP_CALLS = 50;

    private static final Logger logger = LoggerFactory.getLogger(Demo.class);

    private final WebClient upstream;

    private final String configuredBaseUrl;

    private final FlakyUpstream flakyUpstream;

    private final StopReasons stopReasons;

    private final Environment environment;

    private final int progressEvery;

    private final AtomicBoolean warmedUp = new AtomicBoolean();

    private volatile @Nullable WebClient target;

    private final RestClient upstreamRestClient;

    private volatile @Nullable RestClient restTarget;

    /**
     * Creates the demonstration.
     * @param upstream the {@code upstream} client bean, built by the starter from {@code http.retry.clients.upstream}
     * @param upstreamRestClient the {@code upstreamRestClient} bean, the starter's RestClient for the same client
     * @param configuredBaseUrl its {@code base-url}
     * @param flakyUpstream the upstream, to count what it received
     * @param stopReasons why the retrying calls stopped
     * @param environment where the server's actual port ({@code local.server.port}) appears once it runs
     * @param progressEvery log a progress line after this many calls
     */
    public Demo(WebClient upstream, RestClient upstreamRestClient, String configuredBaseUrl, FlakyUpstream flakyUpstream,
            StopReasons stopReasons, Environment environment, int progressEvery) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.upstreamRestClient = Objects.requireNonNull(upstreamRestClient, "upstreamRestClient");
        this.configuredBaseUrl = stripTrailingSlash(configuredBaseUrl);
        this.flakyUpstream = Objects.requireNonNull(flakyUpstream, "flakyUpstream");
        this.stopReasons = Objects.requireNonNull(stopReasons, "stopReasons");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.progressEvery = Math.max(1, progressEvery);
    }

    /**
     * Runs the demonstration: the plain run, then the retrying run, then the retrying RestClient run.
     * @param request how many calls, how many at a time, and how the upstream misbehaves
     * @return the report, once both runs ended
     */
    public Mono<DemoReport> run(DemoRequest request) {
        return Mono.defer(() -> {
            WebClient client = client();
            return warmUp(client).then(run(PLAIN, false, client, request))
                .flatMap((plain) -> run(RETRYING, true, client, request).map((retrying) -> List.of(plain, retrying)))
                .flatMap((runs) -> run(RETRYING_REST_CLIENT, true, null, request)
                    .map((rest) -> List.of(runs.get(0), runs.get(1), rest)))
                .map((runs) -> new DemoReport(request.calls(), request.concurrency(), request.scenario(), runs));
        });
    }

    /**
     * Before the first demonstration, a few healthy calls that are not measured, so that class
     * loading and JIT compilation do not land on the plain run's latencies alone.
     */
    private Mono<Void> warmUp(WebClient client) {
        if (!this.warmedUp.compareAndSet(false, true)) {
            return Mono.empty();
        }
        return Flux.range(0, WARM_UP_CALLS)
            .flatMap((i) -> client.get()
                .uri("/resource")
                .attributes(RetryRequests.noRetry())
                .retrieve()
                .toBodilessEntity()
                .onErrorResume((error) -> Mono.empty()), 10)
            .then();
    }

    /** One run: through {@code client}, or through the RestClient when it is {@code null}. */
    private Mono<RunResult> run(String label, boolean retrying, @Nullable WebClient client, DemoRequest request) {
        return Mono.defer(() -> {
            String run = this.flakyUpstream.openRun(client == null ? "restclient" : retrying ? "retrying" : "plain");
            RestClient restClient = (client == null) ? restClient() : null;
            Map<StopReason, Long> before = this.stopReasons.snapshot(CLIENT);
            AtomicInteger done = new AtomicInteger();
            AtomicInteger successes = new AtomicInteger();
            logger.info("{}: {} calls, {} at a time ...", label, request.calls(), request.concurrency());
            return Flux.range(0, request.calls())
                .flatMap((i) -> (restClient != null) ? call(restClient, run, request.scenario())
                        : call(Objects.requireNonNull(client), retrying, run, request.scenario()), request.concurrency())
                .doOnNext((call) -> {
                    int ok = call.success() ? successes.incrementAndGet() : successes.get();
                    int count = done.incrementAndGet();
                    if (count % this.progressEvery == 0 || count == request.calls()) {
                        logger.info("{}: {}/{} calls done, {} succeeded", label, count, request.calls(), ok);
                    }
                })
                .collectList()
                .map((calls) -> {
                    Map<String, Long> reasons = retrying ? StopReasons.between(before, this.stopReasons.snapshot(CLIENT)) : Map.of();
                    return RunResult.of(label, calls, this.flakyUpstream.closeRun(run), reasons);
                })
                .doFinally((signal) -> this.flakyUpstream.closeRun(run));
        });
    }

    private Mono<RunResult.Call> call(WebClient client, boolean retrying, String run, Scenario scenario) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            WebClient.RequestHeadersSpec<?> request = client.get().uri((uri) -> {
                uri.path("/resource");
                scenario.toParams().forEach(uri::queryParam);
                return uri.queryParam(FlakyUpstream.RUN_PARAM, run).build();
            });
            if (!retrying) {
                request = request.attributes(RetryRequests.noRetry());
            }
            return request.retrieve()
                .toBodilessEntity()
                .map((response) -> RunResult.Call.ok(System.nanoTime() - start))
                .onErrorResume((error) -> Mono.just(RunResult.Call.failed(describe(error), System.nanoTime() - start)));
        });
    }

    /** A call through the blocking RestClient, on a thread that may block. */
    private Mono<RunResult.Call> call(RestClient client, String run, Scenario scenario) {
        return Mono.fromCallable(() -> {
            long start = System.nanoTime();
            try {
                client.get().uri((uri) -> {
                    uri.path("/resource");
                    scenario.toParams().forEach(uri::queryParam);
                    return uri.queryParam(FlakyUpstream.RUN_PARAM, run).build();
                }).retrieve().toBodilessEntity();
                return RunResult.Call.ok(System.nanoTime() - start);
            }
            catch (RuntimeException ex) {
                return RunResult.Call.failed(describe(ex), System.nanoTime() - start);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** The RestClient whose base URL is this server's {@code /upstream}, derived like {@link #client()}. */
    private RestClient restClient() {
        RestClient client = this.restTarget;
        if (client == null) {
            String actual = serverUrl() + FlakyUpstream.PATH;
            client = actual.equals(this.configuredBaseUrl) ? this.upstreamRestClient
                    : this.upstreamRestClient.mutate().baseUrl(actual).build();
            this.restTarget = client;
        }
        return client;
    }

    /**
     * The URL of this server, for hints in the logs.
     * @return {@code http://localhost:<port>}
     * @throws IllegalStateException if the server has not started
     */
    public String serverUrl() {
        return "http://localhost:" + serverPort();
    }

    /** The client whose base URL is this server's {@code /upstream}: see the class comment. */
    private WebClient client() {
        WebClient client = this.target;
        if (client == null) {
            String actual = serverUrl() + FlakyUpstream.PATH;
            if (actual.equals(this.configuredBaseUrl)) {
                client = this.upstream;
            }
            else {
                logger.info("http.retry.clients.upstream.base-url is {}, but this server's upstream is at {}: "
                        + "the demo uses upstream.mutate().baseUrl(\"{}\"), which keeps the retry filter",
                        this.configuredBaseUrl, actual, actual);
                client = this.upstream.mutate().baseUrl(actual).build();
            }
            this.target = client;
        }
        return client;
    }

    private int serverPort() {
        Integer port = this.environment.getProperty("local.server.port", Integer.class);
        if (port == null) {
            throw new IllegalStateException("The web server has not started: the demo calls this app's own "
                    + FlakyUpstream.PATH + " and needs its port");
        }
        return port;
    }

    /** What a failed call ended with, as the caller sees it. */
    static String describe(Throwable error) {
        if (error instanceof WebClientResponseException response) {
            return String.valueOf(response.getStatusCode().value());
        }
        if (error instanceof RestClientResponseException response) {
            return String.valueOf(response.getStatusCode().value());
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof PrematureCloseException) {
                return "dropped";
            }
            if (cause instanceof TimeoutException) {
                return "timeout";
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
