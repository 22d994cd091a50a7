package com.example.orders;

import dev.httpretry.restclient.RestClientRetryRequests;

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
            .attributes(RestClientRetryRequests.client("payments"))   // this request: the payments policy and budget
            .retrieve().body(Invoice.class);
    }

    ResponseEntity<Void> send(Invoice invoice) {
        return this.restClient.post().uri("/invoices").body(invoice)
            .attributes(RestClientRetryRequests.noRetry())            // this request: sent once, as without the starter
            .retrieve().toBodilessEntity();
    }
}
