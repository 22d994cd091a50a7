package dev.httpretry.starter.mvc;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A Spring MVC (servlet) app whose only addition is the starter (its test classpath has no WebFlux server). */
@SpringBootApplication
public class MvcApp {
}
