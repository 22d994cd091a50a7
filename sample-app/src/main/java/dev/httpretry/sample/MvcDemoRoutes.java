package dev.httpretry.sample;

import java.util.Objects;

import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * {@code GET /demo} in the Spring MVC app: the same parameters and answers as {@link DemoRoutes}, on
 * Spring MVC's functional endpoints. The demonstration runs asynchronously, so no servlet thread
 * waits for it.
 */
public final class MvcDemoRoutes {

    private final Demo demo;

    private final DemoRequest defaults;

    /**
     * Creates the routes.
     * @param demo the demonstration
     * @param defaults what a request without parameters runs
     */
    public MvcDemoRoutes(Demo demo, DemoRequest defaults) {
        this.demo = Objects.requireNonNull(demo, "demo");
        this.defaults = Objects.requireNonNull(defaults, "defaults");
    }

    /**
     * The routes.
     * @return the router function
     */
    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
            .GET(DemoRoutes.PATH, RequestPredicates.param("format", "text"), (request) -> run(request, true))
            .GET(DemoRoutes.PATH, RequestPredicates.param("format", "json"), (request) -> run(request, false))
            // JSON for "Accept: */*" (curl, browsers) and for no Accept at all; the table for "Accept: text/plain".
            .GET(DemoRoutes.PATH, RequestPredicates.accept(MediaType.APPLICATION_JSON), (request) -> run(request, false))
            .GET(DemoRoutes.PATH, (request) -> run(request, true))
            .build();
    }

    private ServerResponse run(ServerRequest request, boolean text) {
        DemoRequest demoRequest;
        try {
            demoRequest = this.defaults.with(request.params());
        }
        catch (IllegalArgumentException ex) {
            return ServerResponse.badRequest().contentType(MediaType.TEXT_PLAIN).body(ex.getMessage() + "\n");
        }
        return ServerResponse.async(this.demo.run(demoRequest).map((report) -> text
                ? ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).body(report.table())
                : ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).body(report)));
    }
}
