package com.example.consumer;

import dev.httpretry.annotation.HttpRetry;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.PostExchange;

/** The catalog service, an HTTP service group backed by RestClient. */
@HttpRetry(maxAttempts = 3)
public interface Catalog {

    @GetExchange("/catalog/{path}")
    String item(@PathVariable String path);

    @HttpRetry(idempotent = true)
    @PostExchange("/catalog/{path}")
    String update(@PathVariable String path, @RequestBody String change);

    @HttpRetry(enabled = false)
    @GetExchange("/catalog/{path}")
    String once(@PathVariable String path);
}
