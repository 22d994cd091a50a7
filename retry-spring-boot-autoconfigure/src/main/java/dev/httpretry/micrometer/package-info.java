/**
 * Micrometer meters for every attempt, wait and call: {@link dev.httpretry.micrometer.RetryMetrics}.
 */
@NullMarked
package dev.httpretry.micrometer;

import org.jspecify.annotations.NullMarked;
