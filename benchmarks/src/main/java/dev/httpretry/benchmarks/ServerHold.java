package dev.httpretry.benchmarks;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

/**
 * A benchmark server's held answer, timed on the event loop of the request's own connection.
 *
 * <p>Held on a timer of Reactor's instead ({@code Mono.delay(hold)}), the answer is written from
 * another thread, and Reactor Netty's server then now and then leaves the next request on that
 * keep-alive connection unread until the connection's next event: its client hears nothing until a
 * timeout closes the connection (BENCHMARKS.md, section 7, "The silent 10 s call").
 */
final class ServerHold {

    private ServerHold() {
    }

    /** Completes after {@code hold}, on the event loop of the connection {@code request} came on. */
    static Mono<Void> onItsLoop(HttpServerRequest request, Duration hold) {
        EventLoop[] loop = { null };
        request.withConnection((connection) -> loop[0] = connection.channel().eventLoop());
        if (loop[0] == null) {
            return Mono.delay(hold).then();
        }
        return Mono.create((sink) -> {
            ScheduledFuture<?> due = loop[0].schedule(() -> sink.success(), hold.toNanos(), TimeUnit.NANOSECONDS);
            sink.onCancel(() -> due.cancel(false));
        });
    }
}
