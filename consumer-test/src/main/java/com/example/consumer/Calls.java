package com.example.consumer;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/** The application's other calls: pricing through a RestClient, payments through the named client, shipping through a WebClient. */
@Service
public class Calls {

    private final RestClient pricing;

    private final RestClient payments;

    private final WebClient shipping;

    public Calls(RestClient.Builder restClients, WebClient.Builder webClients, @Qualifier("payments") RestClient payments,
            @Value("${pricing.base-url}") String pricing, @Value("${shipping.base-url}") String shipping) {
        this.pricing = restClients.baseUrl(pricing).build();
        this.payments = payments;
        this.shipping = webClients.baseUrl(shipping).build();
    }

    public String price(String path) {
        return this.pricing.get().uri("/pricing/{path}", path).retrieve().body(String.class);
    }

    public String pay(String path) {
        return this.payments.get().uri("/payments/{path}", path).retrieve().body(String.class);
    }

    public String ship(String path) {
        return this.shipping.get().uri("/shipping/{path}", path).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
    }
}
