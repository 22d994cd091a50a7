package dev.httpretry.sample;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.env.Environment;

/**
 * This app's own web server, as the demo sees it: its URL, known only once it runs (with
 * {@code server.port=0} the port is chosen then), and the named clients pointed at the
 * {@link FlakyUpstream} it serves. Thread-safe.
 */
public final class LocalServer {

    private static final Logger logger = LoggerFactory.getLogger(LocalServer.class);

    private final Environment environment;

    /**
     * Creates the view of the server.
     * @param environment where the server's actual port ({@code local.server.port}) appears once it runs
     */
    public LocalServer(Environment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /**
     * The URL of this server.
     * @return {@code http://localhost:<port>}
     * @throws IllegalStateException if the server has not started
     */
    public String url() {
        Integer port = this.environment.getProperty("local.server.port", Integer.class);
        if (port == null) {
            throw new IllegalStateException("The web server has not started: the demo needs its port");
        }
        return "http://localhost:" + port;
    }

    /**
     * A named client that calls this server's {@value FlakyUpstream#PATH}, found on first use, when the
     * port is known. The bean keeps its configured {@code http.retry.clients.<name>.base-url} when that
     * already points at this server (the usual {@code java -jar} case); otherwise the client is derived
     * from it with {@code mutate().baseUrl(...)}, which keeps its retry policy and budget.
     * @param <C> the client's type, {@code WebClient} or {@code RestClient}
     * @param name the client's name under {@code http.retry.clients}
     * @param bean the client bean the starter made for it
     * @param rebase the bean with another base URL
     * @return the client, made once
     */
    public <C> Supplier<C> upstreamClient(String name, C bean, Function<String, C> rebase) {
        AtomicReference<@Nullable C> client = new AtomicReference<>();
        return () -> {
            C target = client.get();
            if (target == null) {
                target = toUpstream(name, bean, rebase);
                client.compareAndSet(null, target);
            }
            return target;
        };
    }

    private <C> C toUpstream(String name, C bean, Function<String, C> rebase) {
        String actual = url() + FlakyUpstream.PATH;
        String configured = stripTrailingSlash(this.environment.getProperty("http.retry.clients." + name + ".base-url", ""));
        if (actual.equals(configured)) {
            return bean;
        }
        logger.info("http.retry.clients.{}.base-url is {}, but this server's upstream is at {}: the demo uses "
                + "mutate().baseUrl(\"{}\"), which keeps the client's retry policy", name, configured, actual, actual);
        return rebase.apply(actual);
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
