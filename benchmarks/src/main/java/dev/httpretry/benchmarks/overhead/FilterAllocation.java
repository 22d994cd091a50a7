package dev.httpretry.benchmarks.overhead;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.httpretry.core.RetryClients;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import dev.httpretry.micrometer.RetryMetrics;
import dev.httpretry.actuate.RetryStatistics;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The allocation of each contender's filter alone, on one thread, without a network: the
 * exchange answers a prebuilt 200 synchronously, so every byte counted is the filter's (and the
 * WebClient's own). Deterministic, unlike a measurement over the network.
 *
 * <pre>mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=overhead.FilterAllocation -Dbench.args="[calls]"</pre>
 */
public final class FilterAllocation {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private FilterAllocation() {
    }

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        Contender.Settings settings = new Contender.Settings(4, Duration.ofSeconds(1), Duration.ofSeconds(30), true);
        ClientResponse ok = ClientResponse.create(org.springframework.http.HttpStatus.OK).build();
        ExchangeFunction exchange = (request) -> Mono.just(ok);
        ClientRequest request = ClientRequest.create(HttpMethod.GET, URI.create("http://127.0.0.1/")).build();
        System.out.println("| client | allocated per call, filter chain only (bytes) |");
        System.out.println("| --- | ---: |");
        double bare = 0;
        for (Contender contender : Contender.values()) {
            if (contender.timerVariant()) {
                continue;
            }
            WebClient client = contender.client(WebClient.builder().exchangeFunction(exchange), settings);
            ExchangeFunction filtered = filteredExchange(client, exchange);
            measure(filtered, request, calls);
            double bytes = measure(filtered, request, calls);
            if (contender == Contender.BARE) {
                bare = bytes;
            }
            System.out.printf(Locale.ROOT, "| %s | %,.0f (%+,.0f) |%n", contender.label(), bytes, bytes - bare);
        }
        // (b) as the auto-configuration wires it: live statistics and Micrometer meters listening, the timer wheel;
        // then the same on Reactor's parallel scheduler (the default before the wheel), to show what the timer costs
        RetryClients clients = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, RetryPolicy.defaults()), Clock.systemUTC());
        RetryListener listeners = RetryListener.composite(List.of(new RetryStatistics(),
                new RetryMetrics(new SimpleMeterRegistry(), clients)));
        RetryExchangeFilterFunction observed = new RetryExchangeFilterFunction(clients, listeners);
        RetryExchangeFilterFunction plain = new RetryExchangeFilterFunction(clients, RetryListener.NONE);
        row("(b) with statistics and meters", observed, exchange, request, calls, bare);
        row("(b) on Schedulers.parallel()", plain.withScheduler(Schedulers::parallel), exchange, request, calls, bare);
        row("(b) with statistics and meters, on Schedulers.parallel()", observed.withScheduler(Schedulers::parallel),
                exchange, request, calls, bare);
    }

    private static void row(String label, RetryExchangeFilterFunction filter, ExchangeFunction exchange, ClientRequest request,
            int calls, double bare) {
        ExchangeFunction filtered = filteredExchange(filter.applyTo(WebClient.builder().exchangeFunction(exchange)).build(),
                exchange);
        measure(filtered, request, calls);
        double bytes = measure(filtered, request, calls);
        System.out.printf(Locale.ROOT, "| %s | %,.0f (%+,.0f) |%n", label, bytes, bytes - bare);
    }

    private static ExchangeFunction filteredExchange(WebClient client, ExchangeFunction exchange) {
        // the filters a WebClient.Builder was given, applied to the synchronous exchange
        WebClient.Builder[] builder = new WebClient.Builder[1];
        builder[0] = client.mutate();
        ExchangeFunction[] result = { exchange };
        builder[0].filters((filters) -> {
            for (int i = filters.size() - 1; i >= 0; i--) {
                result[0] = filters.get(i).apply(result[0]);
            }
        });
        return result[0];
    }

    private static double measure(ExchangeFunction exchange, ClientRequest request, int calls) {
        long thread = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(thread);
        for (int i = 0; i < calls; i++) {
            exchange.exchange(request).block();
        }
        return (double) (THREADS.getThreadAllocatedBytes(thread) - before) / calls;
    }
}
