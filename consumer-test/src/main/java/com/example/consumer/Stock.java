package com.example.consumer;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.annotation.GetExchange;

/** The stock service, an HTTP service group backed by WebClient. */
public interface Stock {

    @GetExchange("/stock/{path}")
    String level(@PathVariable String path);
}
