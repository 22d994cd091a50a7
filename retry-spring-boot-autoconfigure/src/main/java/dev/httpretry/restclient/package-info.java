/**
 * Retrying for Spring's blocking {@code RestClient}: the
 * {@link dev.httpretry.restclient.RetryClientHttpRequestInterceptor} that runs each call under a
 * {@link dev.httpretry.core.RetryExecution} on the calling thread. Per request, a policy (or none)
 * is chosen with {@link dev.httpretry.client.RetryRequests}, as for WebClient.
 */
@NullMarked
package dev.httpretry.restclient;

import org.jspecify.annotations.NullMarked;
