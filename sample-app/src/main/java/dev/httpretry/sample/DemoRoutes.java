package dev.httpretry.sample;

import java.util.Objects;

import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code GET /demo}: runs a demonstration on demand. Request parameters override the configured
 * defaults ({@code calls}, {@code concurrency}, and the {@link Scenario} parameters such as
 * {@code fail}, {@code mode} and {@code retryAfter}). The report comes as JSON, or as the text table
 * when the request accepts only {@code text/plain} or has {@code format=text}.
 */
public final class DemoRoutes {

    /** The path of the demonstration. */
    public static final String PATH = "/demo";

    private final Demo demo;

    private final DemoRequest defaults;

    /**
     * Creates the routes.
     * @param demo the demonstration
     * @param defaults what a request without parameters runs
     */
    public DemoRoutes(Demo demo, DemoRequest defaults) {
        this.demo = Objects.requireNonNull(demo, "demo");
        this.defaults = Objects.requireNonNull(defaults, "defaults");
    }

    /**
     * The routes.
     * @return the router function
     */
    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
            .GET(PATH, RequestPredicates.queryParam("format", "text"), (request) -> run(request, true))
            .GET(PATH, RequestPredicates.queryParam("format", "json"), (request) -> run(request, false))
            // JSON for "Accept: */*" (curl, browsers) and for no Accept at all; the table for "Accept: text/plain".
            .GET(PATH, RequestPredicates.accept(MediaType.APPLICATION_JSON), (request) -> run(request, false))
            .GET(PATH, (request) -> run(request, true))
            .build();
    }

    private Mono<ServerResponse> run(ServerRequest request, boolean text) {
        DemoRequest demoRequest;
        try {
            demoRequest = this.defaults.with(request.queryParams());
        }
        catch (IllegalArgumentException ex) {
            return ServerResponse.badRequest().contentType(MediaType.TEXT_PLAIN).bodyValue(ex.getMessage() + "\n");
        }
        return this.demo.run(demoRequest).flatMap((report) -> text
                ? ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue(report.table())
                : ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(report));
    }
}
