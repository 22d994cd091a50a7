package dev.httpretry.benchmarks.soak;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/**
 * How the {@link ChaosServer} answers a request for each {@link FaultKind}: status, headers, body and
 * timing. Apart from the server, which decides which fault a request gets and records what arrived,
 * so that each fault's behaviour reads in one place. Thread-safe.
 */
final class FaultAnswers {

    /** The length announced by a response that is reset mid-body; only part of it is sent. */
    static final int ANNOUNCED_LENGTH = 4096;

    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter
        .ofPattern("EEE, dd MMM uuuu HH:mm:ss 'GMT'", Locale.US)
        .withZone(ZoneOffset.UTC);

    private static final String PADDING = "x".repeat(512);

    private final Clock clock;

    /**
     * Answers with the given clock.
     * @param clock the clock {@code Retry-After} dates are computed from
     */
    FaultAnswers(Clock clock) {
        this.clock = clock;
    }

    /**
     * The answer to one request, after its body is read.
     * @param fault the fault drawn for the request
     * @param variant a number from 0 to 200, drawn with the fault, that varies the answer within its kind
     * @param callId the call the request belongs to, if it named one
     * @param read reads and checks the request's body
     * @param response the response to answer with
     * @return completes when the answer is sent, or the channel closed
     */
    Mono<Void> answer(FaultKind fault, int variant, @Nullable String callId, Mono<Void> read, HttpServerResponse response) {
        String body = "ok " + callId + " " + PADDING;
        return switch (fault) {
            case OK, REFUSED -> read.then(send(response.status(200), body));
            case UNAVAILABLE -> read.then(send(response.status(503), "unavailable " + PADDING));
            case RATE_LIMITED_DELTA -> read.then(send(response.status(429)
                .header(HttpHeaderNames.RETRY_AFTER, String.valueOf(variant % 2)), "slow down"));
            // one to two seconds ahead: the next whole second plus one, as HTTP-dates have no fraction
            case RATE_LIMITED_DATE -> read.then(Mono.defer(() -> send(response.status(429).header(HttpHeaderNames.RETRY_AFTER,
                    IMF_FIXDATE.format(this.clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2))), "slow down")));
            case RESET_MID_RESPONSE -> read.then(resetMidBody(response, (variant % 2 == 0) ? 200 : 503));
            case CLOSED_BEFORE_HEADERS -> read.then(close(response));
            case SLOW -> read.then(Mono.delay(Duration.ofMillis(400 + variant))).then(send(response.status(200), body));
            case AT_TIMEOUT -> read.then(Mono.delay(Duration.ofMillis(195 + variant / 40))).then(send(response.status(200), body));
            // the body stalls longer than a retried body is drained (1 s), then ends: a caller that gets it as the last answer can read it
            case STALLED_BODY -> read.then(response.status(503).header(HttpHeaderNames.CONTENT_LENGTH, "20")
                .send(Flux.concat(Mono.fromSupplier(() -> bytes("0123456789")),
                        Mono.delay(Duration.ofMillis(1500)).map((tick) -> bytes("0123456789")))).then());
            case ENDLESS_BODY -> read.then(response.status(503)
                .send(Flux.interval(Duration.ofMillis(5)).take(Duration.ofSeconds(5)).map((n) -> bytes(PADDING))).then());
            // the server has already marked the call, so that its next request is closed before any response
            case UNAVAILABLE_THEN_CLOSED -> read.then(send(response.status(503), "unavailable " + PADDING));
        };
    }

    private static Mono<Void> send(HttpServerResponse response, String body) {
        return response.header(HttpHeaderNames.CONTENT_TYPE, "text/plain").send(Mono.fromSupplier(() -> bytes(body))).then();
    }

    /**
     * A body in an unpooled heap buffer, which Netty's leak detector does not track: the soak
     * watches the client's buffers, and Reactor Netty's server can lose a body it is about to write
     * when the client has already closed the connection (a slow answer after the attempt timed out).
     */
    private static ByteBuf bytes(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Sends the headers with a {@code Content-Length} of {@value #ANNOUNCED_LENGTH} and about a
     * quarter of the body in two chunks (a Flux, so the headers go first and keep that length),
     * then closes the channel: the client sees the connection end mid-body.
     */
    private static Mono<Void> resetMidBody(HttpServerResponse response, int status) {
        String part = "y".repeat(512);
        return response.status(status)
            .header(HttpHeaderNames.CONTENT_TYPE, "text/plain")
            .header(HttpHeaderNames.CONTENT_LENGTH, String.valueOf(ANNOUNCED_LENGTH))
            .send(Flux.just(part, part).map(FaultAnswers::bytes))
            .then()
            .then(close(response));
    }

    /** Closes the channel without a response, so the client sees the connection end before any headers. */
    static Mono<Void> close(HttpServerResponse response) {
        return Mono.fromRunnable(() -> response.withConnection((connection) -> connection.channel().close()));
    }
}
