package dev.httpretry.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A real HTTP server on 127.0.0.1 (port 0) that reads each request's whole body, records its bytes
 * and headers, and answers {@code 200 "ok <n>"} for the n-th request.
 */
public final class BodyRecordingServer implements AutoCloseable {

    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());

    private final AtomicInteger started = new AtomicInteger();

    private final DisposableServer server;

    public BodyRecordingServer() {
        // The server's buffers are not leak-tracked: the leak checks judge the client.
        this.server = HttpServer.create().host("127.0.0.1").port(0)
            .childOption(ChannelOption.ALLOCATOR, new UnpooledByteBufAllocator(false, true))
            .handle(this::handle)
            .bindNow();
    }

    public String url() {
        return "http://127.0.0.1:" + this.server.port();
    }

    public List<Received> received() {
        synchronized (this.received) {
            return List.copyOf(this.received);
        }
    }

    /** How many requests began to arrive (their headers did), whether or not their bodies ended. */
    public int started() {
        return this.started.get();
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        this.started.incrementAndGet();
        Map<String, String> headers = new LinkedHashMap<>();
        request.requestHeaders().forEach((entry) -> headers.put(entry.getKey().toLowerCase(Locale.ROOT), entry.getValue()));
        return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
            .flatMap((body) -> {
                this.received.add(new Received(request.method().name(), headers, body));
                return response.status(200).sendString(Mono.just("ok " + this.received.size())).then();
            });
    }

    @Override
    public void close() {
        this.server.disposeNow(Duration.ofSeconds(5));
    }

    /** One request as the server read it: headers by lower-case name, and the whole body. */
    public record Received(String method, Map<String, String> headers, byte[] body) {

        public String header(String name) {
            return this.headers.get(name.toLowerCase(Locale.ROOT));
        }
    }
}
