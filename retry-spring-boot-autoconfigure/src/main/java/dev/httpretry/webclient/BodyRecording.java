package dev.httpretry.webclient;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.ClientHttpRequest;

/**
 * A whole recorded request body, as every attempt after the recording one sends it: the bytes and
 * the headers the original inserter set ({@code Content-Type} with a multipart boundary,
 * {@code Content-Length}), so that the framing matches the bytes.
 * @param bytes the body's bytes, from index 0
 * @param length how many of {@code bytes} are the body
 * @param headers the headers the original inserter set or changed
 * @param viaSetComplete whether the original inserter ended the request without a body ({@code setComplete})
 */
record BodyRecording(byte[] bytes, int length, Map<String, List<String>> headers, boolean viaSetComplete) {

    /**
     * Sets again the headers the original inserter set; they must be in place before the write
     * commits the request.
     * @param target the headers of the attempt's request
     */
    void restoreHeaders(HttpHeaders target) {
        this.headers.forEach(target::put);
    }

    /**
     * Writes the recorded body to an attempt's request: one wrapped heap buffer, nothing pooled, so
     * nothing to release; or no body, as the original inserter did.
     * @param request the attempt's request
     * @return completes when the request is written
     */
    Mono<Void> writeTo(ClientHttpRequest request) {
        if (this.viaSetComplete) {
            return request.setComplete();
        }
        return request.writeWith(Mono.fromSupplier(
                () -> request.bufferFactory().wrap(ByteBuffer.wrap(this.bytes, 0, this.length))));
    }
}
