package dev.httpretry.starter.failure;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An app with the starter, started without a web server to check how a bad property is reported. */
@SpringBootApplication
public class PlainApp {
}
