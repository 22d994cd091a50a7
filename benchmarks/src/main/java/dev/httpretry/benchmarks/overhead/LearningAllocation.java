package dev.httpretry.benchmarks.overhead;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

import dev.httpretry.actuate.RetryStatistics;
import dev.httpretry.core.MonotonicClock;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.core.RetryPolicyBuilder;
import dev.httpretry.micrometer.RetryMetrics;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The bytes a successful call allocates with the destinations that learn, measured as
 * {@link FilterAllocation} measures them (one thread, an exchange that answers a prebuilt 200 at once,
 * the thread's allocated bytes over {@code calls} calls after as many to warm up): the bare client, the
 * filter at the defaults, and the filter with {@code adaptive.enabled}, with hedging at 50 ms, with
 * {@code hedging.delay: auto}, and with both; each without listeners and with statistics and meters.
 *
 * <pre>mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=overhead.LearningAllocation -Dbench.args="[calls]"</pre>
 */
public final class LearningAllocation {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    private LearningAllocation() {
    }

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        ClientResponse ok = ClientResponse.create(org.springframework.http.HttpStatus.OK).build();
        ExchangeFunction exchange = (request) -> Mono.just(ok);
        ClientRequest request = ClientRequest.create(HttpMethod.GET, URI.create("http://127.0.0.1/")).build();
        System.out.println("| client | allocated per call, filter chain only (bytes) | with statistics and meters (bytes) |");
        System.out.println("| --- | ---: | ---: |");
        ExchangeFunction bareExchange = filtered(WebClient.builder().exchangeFunction(exchange).build(), exchange);
        measure(bareExchange, request, calls);
        double bare = measure(bareExchange, request, calls);
        System.out.printf(Locale.ROOT, "| (a) bare WebClient | %,.0f (+0) | |%n", bare);
        for (Map.Entry<String, UnaryOperator<RetryPolicyBuilder>> entry : LearningOverhead.filters().entrySet()) {
            RetryPolicy policy = entry.getValue().apply(RetryPolicy.builder().maxAttempts(4).initialDelay(Duration.ofSeconds(1))
                .maxDelay(Duration.ofSeconds(30)).budgetEnabled(true)).build();
            double plain = bytes(policy, false, exchange, request, calls);
            double observed = bytes(policy, true, exchange, request, calls);
            System.out.printf(Locale.ROOT, "| %s | %,.0f (%+,.0f) | %,.0f (%+,.0f) |%n", entry.getKey(), plain, plain - bare, observed,
                    observed - bare);
        }
    }

    private static double bytes(RetryPolicy policy, boolean observed, ExchangeFunction exchange, ClientRequest request, int calls) {
        RetryClients clients = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, policy), MonotonicClock.INSTANCE);
        RetryListener listener = observed ? RetryListener.composite(List.of(new RetryStatistics(),
                new RetryMetrics(new SimpleMeterRegistry(), clients))) : RetryListener.NONE;
        RetryExchangeFilterFunction filter = new RetryExchangeFilterFunction(clients, listener);
        ExchangeFunction filtered = filtered(filter.applyTo(WebClient.builder().exchangeFunction(exchange)).build(), exchange);
        measure(filtered, request, calls);
        return measure(filtered, request, calls);
    }

    private static ExchangeFunction filtered(WebClient client, ExchangeFunction exchange) {
        ExchangeFunction[] result = { exchange };
        client.mutate().filters((filters) -> {
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
