/**
 * Retrying for Spring's reactive {@code WebClient}: the {@link dev.httpretry.webclient.RetryExchangeFilterFunction}
 * that runs each call under a {@link dev.httpretry.core.RetryExecution},
 * {@link dev.httpretry.webclient.RetryRequests} to choose a policy, or none, per request, and
 * ReplayableBody, which makes a request body safe to send more than once.
 */
@NullMarked
package dev.httpretry.webclient;

import org.jspecify.annotations.NullMarked;
