/**
 * Spring Boot auto-configuration of http-retry, and nothing else: properties and their validation,
 * named clients, and the wiring of the WebClient filter, the meters and the actuator endpoint.
 */
@NullMarked
package dev.httpretry.autoconfigure;

import org.jspecify.annotations.NullMarked;
