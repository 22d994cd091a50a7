package dev.httpretry.test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/** An application with nothing of its own: the starter, Boot's clients and the test support, as auto-configured. */
@SpringBootConfiguration
@EnableAutoConfiguration
class TestApp {
}
