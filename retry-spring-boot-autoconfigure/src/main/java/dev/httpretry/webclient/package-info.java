/**
 * Retrying for Spring's reactive {@code WebClient}: the {@link dev.httpretry.webclient.RetryExchangeFilterFunction}
 * that runs each call under a {@link dev.httpretry.core.RetryExecution}. Inside: the call's operator
 * (RetryingCall), each attempt's subscriber and request, the copies of a hedged call, the body kept
 * to send again, the release of retried responses and the waits. Per request, a policy (or none) is
 * chosen with {@link dev.httpretry.client.RetryRequests}.
 */
@NullMarked
package dev.httpretry.webclient;

import org.jspecify.annotations.NullMarked;
