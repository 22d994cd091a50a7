package dev.httpretry.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

/** A real server on 127.0.0.1: answers every request 200 with "ok", and keeps each request's method, path and body. */
final class Upstream implements AutoCloseable {

    private final HttpServer server;

    final List<String> requests = new CopyOnWriteArrayList<>();

    Upstream() {
        try {
            this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        this.server.createContext("/", (exchange) -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            this.requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + (body.isEmpty() ? "" : " " + body));
            byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        this.server.start();
    }

    String url() {
        return "http://127.0.0.1:" + this.server.getAddress().getPort();
    }

    @Override
    public void close() {
        this.server.stop(0);
    }
}
