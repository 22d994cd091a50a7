/**
 * The http-retry sample: a WebFlux app (or, with the profile {@code mvc}, a Spring MVC one) with a
 * misbehaving upstream of its own, and a demonstration that calls it without and with retries.
 */
@NullMarked
package dev.httpretry.sample;

import org.jspecify.annotations.NullMarked;
