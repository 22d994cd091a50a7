package com.example.consumer;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

/** The pricing service's client, on its own, as a @RestClientTest slice tests it. */
@Service
public class Pricing {

    private final RestClient client;

    public Pricing(RestClient.Builder builder, @Value("${pricing.base-url}") String baseUrl) {
        this.client = builder.baseUrl(baseUrl).build();
    }

    public String price(String item) {
        return this.client.get().uri("/pricing/{item}", item).retrieve().body(String.class);
    }
}
