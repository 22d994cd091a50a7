package dev.httpretry.starter.contexts;

import org.springframework.boot.test.context.SpringBootTest;

/** The other configuration of the suite: five attempts, other backoff. */
@SpringBootTest(properties = { "http.retry.max-attempts=5", "http.retry.backoff.initial-delay=2ms", "http.retry.backoff.max-delay=4ms" })
abstract class FiveAttemptsApp extends RetryingAppTests {
}
