/**
 * Spring Boot auto-configuration of http-retry: properties, the retrying {@code WebClient}
 * filter, named clients, metrics and the actuator endpoint.
 */
@NullMarked
package dev.httpretry.autoconfigure;

import org.jspecify.annotations.NullMarked;
