package dev.httpretry.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A real HTTP server on 127.0.0.1 (port 0) that answers from a script: each request takes the next
 * reply from the queue, or the default reply when the queue is empty. It records every request it
 * receives, counts the requests of which any byte arrived (a request cut before its headers were
 * whole counts there, not in {@link #requests()}), and can end the connections it holds open.
 */
public final class TestServer implements AutoCloseable {

    private final Queue<Reply> script = new ConcurrentLinkedQueue<>();

    private final List<Received> received = java.util.Collections.synchronizedList(new ArrayList<>());

    private final AtomicInteger count = new AtomicInteger();

    private final AtomicInteger begun = new AtomicInteger();

    /** The connections open now (a closed one leaves the group by itself). */
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    private volatile Reply fallback = Reply.status(200).body("ok");

    private final DisposableServer server;

    public TestServer() {
        // The server's buffers are not leak-tracked: the leak tests judge the client. (A delayed
        // reply written after the client gave up on the connection is the server's to lose.)
        this.server = HttpServer.create().host("127.0.0.1").port(0)
            .childOption(ChannelOption.ALLOCATOR, new UnpooledByteBufAllocator(false, true))
            .doOnChannelInit((observer, channel, remote) -> {
                this.connections.add(channel);
                channel.pipeline().addFirst(RequestStarts.NAME, new RequestStarts(this.begun));
            })
            .handle(this::handle)
            .bindNow();
    }

    /**
     * A server that answers request {@code n} with {@code statuses[n - 1]} (the last status again for
     * every request after it) and the body {@code "response n"}, so a caller can tell which answer
     * reached it.
     */
    public static TestServer answering(int... statuses) {
        if (statuses.length == 0) {
            throw new IllegalArgumentException("No status");
        }
        TestServer server = new TestServer();
        for (int i = 0; i < statuses.length; i++) {
            server.then(Reply.status(statuses[i]).body("response " + (i + 1)));
        }
        int last = statuses[statuses.length - 1];
        return server.otherwise((request, response) -> Reply.status(last).body("response " + server.requests())
            .respond(request, response));
    }

    /** Appends replies to the script. */
    public TestServer then(Reply... replies) {
        this.script.addAll(List.of(replies));
        return this;
    }

    /** The reply given once the script is used up. */
    public TestServer otherwise(Reply reply) {
        this.fallback = reply;
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + this.server.port();
    }

    public int port() {
        return this.server.port();
    }

    public int requests() {
        return this.count.get();
    }

    /**
     * The requests of which at least one byte reached the server: bytes that arrive on a connection
     * with no request in progress begin one, which lasts until the server has answered it.
     */
    public int requestsBegun() {
        return this.begun.get();
    }

    /**
     * Ends every connection the server holds open, as a server whose keep-alive timeout passed:
     * with a close, or with a reset (a TCP RST: close with linger 0).
     * @param reset whether to reset rather than close
     * @return when the server's side of each is closed
     */
    public Mono<Void> endConnections(boolean reset) {
        if (reset) {
            this.connections.forEach((channel) -> channel.config().setOption(ChannelOption.SO_LINGER, 0));
        }
        return Mono.create((sink) -> this.connections.close().addListener((future) -> sink.success()));
    }

    /** The URIs (path and query) of the requests received, in order. */
    public List<String> paths() {
        return received().stream().map(Received::uri).toList();
    }

    public List<Received> received() {
        synchronized (this.received) {
            return List.copyOf(this.received);
        }
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        request.requestHeaders().forEach((entry) -> headers.put(entry.getKey(), entry.getValue()));
        this.received.add(new Received(request.method().name(), request.uri(), headers));
        this.count.incrementAndGet();
        Reply reply = this.script.poll();
        AtomicReference<Channel> channel = new AtomicReference<>();
        response.withConnection((connection) -> channel.set(connection.channel()));
        return (reply != null ? reply : this.fallback).respond(request, response).doFinally((signal) -> RequestStarts.answered(channel.get()));
    }

    /** First in each connection's pipeline: counts the requests of which any byte arrived. */
    private static final class RequestStarts extends ChannelInboundHandlerAdapter {

        static final String NAME = "testServer.requestStarts";

        private final AtomicInteger begun;

        /** Whether no request is in progress on this connection: the next byte begins one. */
        private volatile boolean idle = true;

        RequestStarts(AtomicInteger begun) {
            this.begun = begun;
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            if (this.idle && message instanceof ByteBuf bytes && bytes.isReadable()) {
                this.idle = false;
                this.begun.incrementAndGet();
            }
            context.fireChannelRead(message);
        }

        /** The server has answered the request in progress on this connection. */
        static void answered(Channel channel) {
            if (channel != null && channel.pipeline().get(NAME) instanceof RequestStarts starts) {
                starts.idle = true;
            }
        }
    }

    @Override
    public void close() {
        this.server.disposeNow(Duration.ofSeconds(5));
    }

    public record Received(String method, String uri, Map<String, String> headers) {
    }

    /** One scripted answer. */
    public interface Reply {

        Mono<Void> respond(HttpServerRequest request, HttpServerResponse response);

        static StatusReply status(int status) {
            return new StatusReply(status, Map.of(), "");
        }

        /** Never answers: the client's timeout must cut the attempt. */
        static Reply hang() {
            return (request, response) -> request.receive().then(Mono.never());
        }

        /** Answers with the reply after a delay. */
        static Reply delayed(Duration delay, Reply reply) {
            return (request, response) -> Mono.delay(delay).then(reply.respond(request, response));
        }

        /** Answers with the reply once {@code release} completes (never, if it never does). */
        static Reply held(Mono<Void> release, Reply reply) {
            return (request, response) -> release.then(Mono.defer(() -> reply.respond(request, response)));
        }

        /** Closes the connection without a response. */
        static Reply drop() {
            return (request, response) -> request.receive().then(Mono.fromRunnable(() -> response.withConnection((c) -> c.channel().close())));
        }

        /** Resets the connection (a TCP RST: close with linger 0) without a response. */
        static Reply reset() {
            return (request, response) -> request.receive().then(Mono.fromRunnable(() -> response.withConnection((c) -> {
                c.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                c.channel().close();
            })));
        }

        /**
         * Answers with the reply on a connection kept alive, and closes that connection {@code after}
         * the answer was sent, as a server whose keep-alive timeout is short: the client's pool then
         * holds a connection the server has closed.
         */
        static Reply closedAfter(Duration after, Reply reply) {
            return closingAfter(after, false, reply);
        }

        /** As {@link #closedAfter}, with a reset (a TCP RST) instead of a close. */
        static Reply resetAfter(Duration after, Reply reply) {
            return closingAfter(after, true, reply);
        }

        private static Reply closingAfter(Duration after, boolean reset, Reply reply) {
            return (request, response) -> {
                AtomicReference<Channel> channel = new AtomicReference<>();
                response.withConnection((connection) -> channel.set(connection.channel()));
                return reply.respond(request, response).then(Mono.fromRunnable(() -> channel.get().eventLoop().schedule(() -> {
                    if (reset) {
                        channel.get().config().setOption(ChannelOption.SO_LINGER, 0);
                    }
                    channel.get().close();
                }, after.toMillis(), TimeUnit.MILLISECONDS)));
            };
        }
    }

    public record StatusReply(int status, Map<String, String> headers, String body) implements Reply {

        public StatusReply header(String name, String value) {
            Map<String, String> copy = new java.util.LinkedHashMap<>(this.headers);
            copy.put(name, value);
            return new StatusReply(this.status, copy, this.body);
        }

        public StatusReply body(String text) {
            return new StatusReply(this.status, this.headers, text);
        }

        @Override
        public Mono<Void> respond(HttpServerRequest request, HttpServerResponse response) {
            response.status(this.status);
            this.headers.forEach(response::header);
            return request.receive().then(response.sendString(Mono.just(this.body)).then());
        }
    }
}
