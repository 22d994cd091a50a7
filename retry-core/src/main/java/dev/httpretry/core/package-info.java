/**
 * The retry decision in plain Java: policy, backoff and jitter, {@code Retry-After} parsing,
 * failure classification and the retry budget. Nothing here depends on Spring, Reactor or a
 * network; time and randomness are always parameters.
 */
@NullMarked
package dev.httpretry.core;

import org.jspecify.annotations.NullMarked;
