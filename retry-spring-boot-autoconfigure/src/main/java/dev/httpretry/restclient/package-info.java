/**
 * Retrying for Spring's blocking {@code RestClient}: the
 * {@link dev.httpretry.restclient.RetryClientHttpRequestInterceptor} that runs each call under a
 * {@link dev.httpretry.core.RetryExecution} on the calling thread, and
 * {@link dev.httpretry.restclient.RestClientRetryRequests} to choose a policy, or none, per request.
 */
@NullMarked
package dev.httpretry.restclient;

import org.jspecify.annotations.NullMarked;
