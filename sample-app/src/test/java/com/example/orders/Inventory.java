package com.example.orders;

import dev.httpretry.annotation.HttpRetry;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.PostExchange;

@HttpRetry(maxAttempts = 3)
interface Inventory {

    record Item(String id, int stock) {
    }

    @GetExchange("/items/{id}")
    Item item(@PathVariable String id);

    @HttpRetry(idempotent = true)      // the service de-duplicates reservations by their id
    @PostExchange("/reservations")
    void reserve(@RequestBody Item item);

    @HttpRetry(enabled = false)        // sent once, as without the starter
    @PostExchange("/audit")
    void audit(@RequestBody String event);
}
