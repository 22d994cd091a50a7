package com.example.consumer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * One local server for the whole test run, standing in for every service the application calls: a
 * request whose last path segment starts {@code fail<n>-} is answered 503 its first n times, then
 * 200 with {@code ok}; each path's requests are counted.
 */
final class Upstream {

    static final Upstream INSTANCE = new Upstream();

    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    private final HttpServer server;

    private Upstream() {
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        this.server.createContext("/", (exchange) -> {
            String path = exchange.getRequestURI().getPath();
            int number = this.requests.computeIfAbsent(path, (key) -> new AtomicInteger()).incrementAndGet();
            String last = path.substring(path.lastIndexOf('/') + 1);
            int failures = last.startsWith("fail") ? Character.getNumericValue(last.charAt(4)) : 0;
            boolean fail = number <= failures;
            byte[] body = (fail ? "unavailable" : "ok").getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(fail ? 503 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        this.server.start();
    }

    String url() {
        return "http://127.0.0.1:" + this.server.getAddress().getPort();
    }

    /** A path segment answered 503 {@code failures} times, then 200. */
    static String failing(int failures) {
        return "fail" + failures + "-" + UUID.randomUUID();
    }

    int requests(String prefix, String segment) {
        AtomicInteger count = this.requests.get("/" + prefix + "/" + segment);
        return (count != null) ? count.get() : 0;
    }
}
