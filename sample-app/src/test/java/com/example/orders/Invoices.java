package com.example.orders;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

@Service
class Invoices {

    private final RestClient catalog;
    private final RestClient payments;

    Invoices(RestClient.Builder builder, @Qualifier("payments") RestClient payments) {
        this.catalog = builder.baseUrl("https://catalog.internal.example").build(); // top-level policy
        this.payments = payments;                                                      // clients.payments
    }
}
