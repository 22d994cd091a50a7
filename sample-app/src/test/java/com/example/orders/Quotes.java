package com.example.orders;

import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

@Service
class Quotes {

    private final RestClient client;

    Quotes(RestClient.Builder builder) {
        this.client = builder.baseUrl("https://quotes.example").build();
    }

    String price(String item) {
        return this.client.get().uri("/quotes/{item}", item).retrieve().body(String.class);
    }
}
