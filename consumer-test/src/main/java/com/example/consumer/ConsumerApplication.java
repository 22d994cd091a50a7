package com.example.consumer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.service.registry.HttpServiceGroup;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * A Spring MVC application that calls other services the ways Boot offers: a RestClient, a WebClient,
 * a named client of http-retry, and two HTTP service groups, one per client type.
 */
@SpringBootApplication
@ImportHttpServices(group = "catalog", types = Catalog.class, clientType = HttpServiceGroup.ClientType.REST_CLIENT)
@ImportHttpServices(group = "stock", types = Stock.class, clientType = HttpServiceGroup.ClientType.WEB_CLIENT)
public class ConsumerApplication {

    public static void main(String[] args) {
        SpringApplication.run(ConsumerApplication.class, args);
    }
}
