package com.example.orders;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.web.reactive.function.client.WebClient;

@Service
class Orders {

    private final WebClient catalog;
    private final WebClient payments;

    Orders(WebClient.Builder builder, @Qualifier("payments") WebClient payments) {
        this.catalog = builder.baseUrl("https://catalog.internal.example").build(); // top-level policy
        this.payments = payments;                                                     // clients.payments
    }
}
