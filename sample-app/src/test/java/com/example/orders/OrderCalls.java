package com.example.orders;

import dev.httpretry.client.RetryRequests;
import reactor.core.publisher.Mono;

import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

class OrderCalls {

    record Order(String id) {
    }

    private final WebClient webClient;

    OrderCalls(WebClient.Builder builder) {
        this.webClient = builder.baseUrl("https://orders.internal.example").build();
    }

    Mono<Order> find(String id) {
        return this.webClient.get().uri("/orders/{id}", id)
            .attributes(RetryRequests.client("payments"))   // this request: the payments policy and budget
            .retrieve().bodyToMono(Order.class);
    }

    Mono<ResponseEntity<Void>> place(Order order) {
        return this.webClient.post().uri("/orders").bodyValue(order)
            .attributes(RetryRequests.noRetry())            // this request: sent once, as without the starter
            .retrieve().toBodilessEntity();
    }
}
