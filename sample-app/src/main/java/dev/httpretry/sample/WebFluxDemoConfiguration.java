package dev.httpretry.sample;

import java.util.List;
import java.util.function.Supplier;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The default run, a WebFlux app on Reactor Netty: it serves the {@link FlakyUpstream} under
 * {@value FlakyUpstream#PATH} and {@code GET /demo}, and its demo compares these rows, each on the same
 * footing (the same calls, the same policy, a budget of its own) unless its note says otherwise:
 * <ol>
 * <li>{@value Demo#PLAIN}: the {@code upstream} {@code WebClient} with retrying turned off per request;</li>
 * <li>{@value #RETRYING}: the same client as configured under {@code http.retry.clients.upstream};</li>
 * <li>{@value #BUDGET_AT_WORK}: the blocking {@code upstreamRestClient} right after it, on the budget that
 * run left: the budget at work, on purpose;</li>
 * <li>{@value #RETRYING_REST_CLIENT}: the RestClient of a client of its own;</li>
 * <li>{@value #HEDGING}: a WebClient whose client also hedges.</li>
 * </ol>
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class WebFluxDemoConfiguration {

    /** The client of the plain, retrying and budget rows. */
    public static final String UPSTREAM = "upstream";

    /** The client of the RestClient row: the same policy as {@value #UPSTREAM}, a budget of its own. */
    public static final String UPSTREAM_REST = "upstream-rest";

    /** The client of the hedging row: the same policy as {@value #UPSTREAM}, plus hedging. */
    public static final String UPSTREAM_HEDGED = "upstream-hedged";

    /** The label of the row through the retrying WebClient. */
    public static final String RETRYING = "retrying WebClient (upstream)";

    /** The label of the row that shares the budget of the row before it. */
    public static final String BUDGET_AT_WORK = "budget at work: RestClient (upstream)";

    /** The label of the row through a retrying RestClient. */
    public static final String RETRYING_REST_CLIENT = "retrying RestClient (upstream-rest)";

    /** The label of the row through a hedging WebClient. */
    public static final String HEDGING = "hedging WebClient (upstream-hedged)";

    /** The upstream, served by this app under {@value FlakyUpstream#PATH}. */
    @Bean
    RouterFunction<ServerResponse> upstreamRoutes(FlakyUpstream flakyUpstream) {
        return flakyUpstream.routes();
    }

    /** The demo's rows, each through the client the starter made for its name. */
    @Bean
    Demo demo(@Qualifier(UPSTREAM) WebClient upstream, @Qualifier(UPSTREAM) RestClient upstreamRestClient,
            @Qualifier(UPSTREAM_REST) RestClient upstreamRest, @Qualifier(UPSTREAM_HEDGED) WebClient upstreamHedged,
            LocalServer server, FlakyUpstream flakyUpstream, StopReasons stopReasons, SampleProperties properties) {
        Supplier<WebClient> webClient = server.upstreamClient(UPSTREAM, upstream, (url) -> upstream.mutate().baseUrl(url).build());
        List<DemoRow> rows = List.of(
                DemoRow.plain(Demo.PLAIN, UpstreamCall.webClient(webClient, false)),
                DemoRow.retrying(RETRYING, UPSTREAM, UpstreamCall.webClient(webClient, true)),
                DemoRow.retrying(BUDGET_AT_WORK, UPSTREAM, restClientCall(server, UPSTREAM, upstreamRestClient))
                    .withNote("upstreamRestClient right after the row above, on the budget that row left (one budget "
                            + "per client name, over 10s): the retries it refuses show as stop reason budget. "
                            + "Every other row retries on a budget of its own"),
                DemoRow.retrying(RETRYING_REST_CLIENT, UPSTREAM_REST, restClientCall(server, UPSTREAM_REST, upstreamRest)),
                DemoRow.retrying(HEDGING, UPSTREAM_HEDGED, UpstreamCall.webClient(server.upstreamClient(UPSTREAM_HEDGED,
                        upstreamHedged, (url) -> upstreamHedged.mutate().baseUrl(url).build()), true))
                    .withNote("the policy of the rows above plus hedging: a request without an answer after "
                            + "hedging.delay gets a second copy, and the first answer wins"));
        return new Demo(rows, flakyUpstream, stopReasons, server, properties.demo().progressEvery());
    }

    /** {@code GET /demo}. */
    @Bean
    RouterFunction<ServerResponse> demoRoutes(Demo demo, SampleProperties properties) {
        return new DemoRoutes(demo, properties.demo().toRequest()).routes();
    }

    private static UpstreamCall restClientCall(LocalServer server, String name, RestClient bean) {
        Supplier<RestClient> client = server.upstreamClient(name, bean, (url) -> bean.mutate().baseUrl(url).build());
        return UpstreamCall.blocking((params) -> client.get().get().uri((uri) -> {
            uri.path("/resource");
            params.forEach(uri::queryParam);
            return uri.build();
        }).retrieve().toBodilessEntity());
    }
}
