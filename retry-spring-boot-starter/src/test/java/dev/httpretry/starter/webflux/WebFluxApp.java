package dev.httpretry.starter.webflux;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A WebFlux app whose only addition is the starter (its test classpath has no servlet stack). */
@SpringBootApplication
public class WebFluxApp {
}
