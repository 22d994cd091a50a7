package com.example.orders;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The application the README's snippets (the other classes of this package, each a copy of one
 * snippet, checked by {@code dev.httpretry.sample.ReadmeSnippetsTests}) live in, as a user's
 * {@code @SpringBootApplication} would be.
 */
@SpringBootApplication
class OrdersApplication {
}
