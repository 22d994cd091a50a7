package dev.httpretry.testing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import dev.httpretry.client.RetryWaits;
import dev.httpretry.core.ClientLibraryExceptionClassifier;
import dev.httpretry.core.Jitter;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.core.RetryPolicyBuilder;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Builds a real WebClient (Reactor Netty) with the retry filter, a listener that records every
 * event, and an inner filter that records when each attempt is handed to the connector.
 */
public final class Harness {

    public final RecordingListener listener = new RecordingListener();

    /** The scheduler's time, in nanoseconds, at which each attempt was handed to the connector. */
    public final List<Long> sent = new CopyOnWriteArrayList<>();

    public final RetryClients clients;

    /** The waits of every filter this harness makes, as an application context's. */
    public final RetryWaits waits = new RetryWaits();

    private Supplier<Scheduler> scheduler = Schedulers::parallel;

    private UnaryOperator<HttpClient> httpClient = UnaryOperator.identity();

    private final List<RetryListener> listeners = new CopyOnWriteArrayList<>(List.of(this.listener));

    private Harness(RetryClients clients) {
        this.clients = clients;
    }

    /** Small delays, no jitter, no budget: fast and exact tests of what is retried. */
    public static RetryPolicyBuilder fastPolicy() {
        return RetryPolicy.builder()
            .initialDelay(Duration.ofMillis(1))
            .maxDelay(Duration.ofMillis(5))
            .jitter(Jitter.NONE)
            .connectionRefusedMinDelay(Duration.ZERO)
            .attemptTimeout(Duration.ofSeconds(5))
            .deadline(Duration.ofSeconds(20))
            .budgetEnabled(false)
            .exceptionClassifier(ClientLibraryExceptionClassifier.INSTANCE);
    }

    public static Harness of(RetryPolicyBuilder policy) {
        return new Harness(RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, policy.build()), Clock.systemUTC()));
    }

    public static Harness of(RetryClients clients) {
        return new Harness(clients);
    }

    public Harness scheduler(Scheduler scheduler) {
        this.scheduler = () -> scheduler;
        return this;
    }

    public Harness listener(RetryListener another) {
        this.listeners.add(another);
        return this;
    }

    public Harness httpClient(UnaryOperator<HttpClient> customizer) {
        this.httpClient = customizer;
        return this;
    }

    public RetryExchangeFilterFunction filter() {
        return new RetryExchangeFilterFunction(this.clients, RetryListener.composite(this.listeners)).withScheduler(this.scheduler)
            .withWaits(this.waits);
    }

    public WebClient client(String baseUrl) {
        return client(baseUrl, HttpClient.create());
    }

    public WebClient client(String baseUrl, HttpClient base) {
        ExchangeFilterFunction recordSend = (request, next) -> {
            this.sent.add(this.scheduler.get().now(TimeUnit.NANOSECONDS));
            return next.exchange(request);
        };
        return WebClient.builder()
            .baseUrl(baseUrl)
            .clientConnector(new ReactorClientHttpConnector(this.httpClient.apply(base)))
            .filter(filter())
            .filter(recordSend)
            .build();
    }

    public int attempts() {
        return this.sent.size();
    }

    /** Resolves no host name, failing as a DNS lookup of an unknown name does. */
    public static final class UnknownHostResolverGroup extends AddressResolverGroup<InetSocketAddress> {

        @Override
        protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
            return new InetNameResolver(executor) {
                @Override
                protected void doResolve(String host, Promise<InetAddress> promise) {
                    promise.setFailure(new UnknownHostException(host + ": unknown host"));
                }

                @Override
                protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                    promise.setFailure(new UnknownHostException(host + ": unknown host"));
                }
            }.asAddressResolver();
        }
    }
}
