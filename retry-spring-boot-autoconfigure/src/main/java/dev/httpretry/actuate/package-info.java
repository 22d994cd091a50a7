/**
 * The {@code retry} actuator endpoint and the live counts it shows.
 */
@NullMarked
package dev.httpretry.actuate;

import org.jspecify.annotations.NullMarked;
