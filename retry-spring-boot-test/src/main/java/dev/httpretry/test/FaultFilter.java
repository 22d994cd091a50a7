package dev.httpretry.test;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Objects;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/**
 * A {@link FaultInjector}'s faults in a WebClient: the innermost filter, so each attempt the retry
 * filter sends meets them, and its errors are the ones WebClient raises for a refused or reset
 * connection (a {@link WebClientRequestException} with the cause).
 */
final class FaultFilter implements ExchangeFilterFunction {

    private final FaultInjector faults;

    FaultFilter(FaultInjector faults) {
        this.faults = faults;
    }

    @Override
    public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
        return Mono.defer(() -> {
            FaultInjector.Fault fault = this.faults.next(Faults.clientOf(request.attributes()));
            if (fault == null) {
                return next.exchange(request);
            }
            if (fault instanceof FaultInjector.Fault.Respond respond) {
                return Mono.just(ClientResponse.create(HttpStatusCode.valueOf(respond.status()))
                    .headers((headers) -> Faults.addHeaders(respond, headers))
                    .request(asHttpRequest(request))
                    .build());
            }
            if (fault instanceof FaultInjector.Fault.Late late) {
                return Mono.delay(late.delay()).then(Mono.defer(() -> next.exchange(request)));
            }
            IOException error = Objects.requireNonNull(Faults.error(fault));
            return Mono.error(new WebClientRequestException(error, request.method(), request.url(), request.headers()));
        });
    }

    /** The request a canned response names, so that a {@code retrieve()} error says which request it was. */
    private static HttpRequest asHttpRequest(ClientRequest request) {
        return new HttpRequest() {
            @Override
            public HttpMethod getMethod() {
                return request.method();
            }

            @Override
            public URI getURI() {
                return request.url();
            }

            @Override
            public Map<String, Object> getAttributes() {
                return request.attributes();
            }

            @Override
            public HttpHeaders getHeaders() {
                return request.headers();
            }
        };
    }

    @Override
    public String toString() {
        return "FaultFilter[" + this.faults + "]";
    }
}
