/**
 * Retrying for Spring's reactive {@code WebClient}: the {@link dev.httpretry.webclient.RetryExchangeFilterFunction}
 * that runs each call under a {@link dev.httpretry.core.RetryExecution}, and
 * {@link dev.httpretry.webclient.RetryRequests} to choose a policy, or none, per request.
 */
@NullMarked
package dev.httpretry.webclient;

import org.jspecify.annotations.NullMarked;
