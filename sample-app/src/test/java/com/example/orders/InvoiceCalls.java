package com.example.orders;

import dev.httpretry.client.RetryRequests;

import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

class InvoiceCalls {

    record Invoice(String id) {
    }

    private final RestClient restClient;

    InvoiceCalls(RestClient.Builder builder) {
        this.restClient = builder.baseUrl("https://invoices.internal.example").build();
    }

    Invoice find(String id) {
        return this.restClient.get().uri("/invoices/{id}", id)
            .attributes(RetryRequests.client("payments"))   // this request: the payments policy and budget
            .retrieve().body(Invoice.class);
    }

    ResponseEntity<Void> send(Invoice invoice) {
        return this.restClient.post().uri("/invoices").body(invoice)
            .attributes(RetryRequests.noRetry())            // this request: sent once, as without the starter
            .retrieve().toBodilessEntity();
    }
}
