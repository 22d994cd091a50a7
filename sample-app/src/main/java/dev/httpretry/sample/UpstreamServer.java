package dev.httpretry.sample;

import java.util.Objects;

import org.jspecify.annotations.Nullable;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RouterFunctions;

/**
 * The {@link FlakyUpstream} on a Reactor Netty server of its own, on 127.0.0.1, for the {@code mvc}
 * profile: the Spring MVC app runs on Tomcat, and the upstream needs Reactor Netty to drop a
 * connection without a response. It starts and stops with the application context.
 */
public final class UpstreamServer implements SmartLifecycle {

    private final FlakyUpstream upstream;

    private final int port;

    private volatile @Nullable DisposableServer server;

    /**
     * Creates the server, not started.
     * @param upstream what it serves
     * @param port its port, {@code 0} for one the system chooses
     */
    public UpstreamServer(FlakyUpstream upstream, int port) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.port = port;
    }

    @Override
    public void start() {
        this.server = HttpServer.create()
            .host("127.0.0.1")
            .port(this.port)
            .handle(new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(this.upstream.routes())))
            .bindNow();
    }

    @Override
    public void stop() {
        DisposableServer running = this.server;
        if (running != null) {
            running.disposeNow();
            this.server = null;
        }
    }

    @Override
    public boolean isRunning() {
        return this.server != null;
    }

    /**
     * The URL of the upstream.
     * @return {@code http://127.0.0.1:<port>/upstream}
     * @throws IllegalStateException if the server is not running
     */
    public String url() {
        DisposableServer running = this.server;
        if (running == null) {
            throw new IllegalStateException("The upstream server is not running");
        }
        return "http://127.0.0.1:" + running.port() + FlakyUpstream.PATH;
    }
}
