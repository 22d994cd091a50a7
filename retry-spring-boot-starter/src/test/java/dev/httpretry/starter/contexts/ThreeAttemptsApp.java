package dev.httpretry.starter.contexts;

import org.springframework.boot.test.context.SpringBootTest;

/** One configuration of the suite: three attempts at most. */
@SpringBootTest(properties = { "http.retry.max-attempts=3", "http.retry.backoff.initial-delay=1ms", "http.retry.backoff.max-delay=2ms" })
abstract class ThreeAttemptsApp extends RetryingAppTests {
}
