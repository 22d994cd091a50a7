package dev.httpretry.restclient;

import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Per-request control of retrying for a {@code RestClient}, through a request attribute:
 *
 * <pre class="code">
 * restClient.get().uri("/orders/{id}", id)
 *     .attributes(RestClientRetryRequests.client("payments"))   // this request uses the "payments" policy
 *     .retrieve()...
 *
 * restClient.post().uri("/orders")
 *     .attributes(RestClientRetryRequests.noRetry())            // this request is sent once, as without the starter
 *     .retrieve()...
 * </pre>
 *
 * A request without the attribute uses the policy of the {@code RestClient} it is sent through:
 * {@value dev.httpretry.core.RetryClients#DEFAULT_CLIENT} for clients built from the auto-configured
 * builder, or the named client's own.
 */
public final class RestClientRetryRequests {

    /** The request attribute that selects a client by name, or turns retrying off. */
    public static final String ATTRIBUTE = RestClientRetryRequests.class.getName() + ".client";

    /** The attribute value that turns retrying off for a request. */
    static final Object NO_RETRY = new Object() {
        @Override
        public String toString() {
            return "no-retry";
        }
    };

    private RestClientRetryRequests() {
    }

    /**
     * Sends this request under the policy (and budget) of the named client.
     * @param name the client's name, {@value dev.httpretry.core.RetryClients#DEFAULT_CLIENT} or one under {@code http.retry.clients}
     * @return the attributes to pass to {@code RequestHeadersSpec.attributes(...)}
     */
    public static Consumer<Map<String, Object>> client(String name) {
        Objects.requireNonNull(name, "name");
        return attributes -> attributes.put(ATTRIBUTE, name);
    }

    /**
     * Sends this request once, without retrying.
     * @return the attributes to pass to {@code RequestHeadersSpec.attributes(...)}
     */
    public static Consumer<Map<String, Object>> noRetry() {
        return attributes -> attributes.put(ATTRIBUTE, NO_RETRY);
    }
}
