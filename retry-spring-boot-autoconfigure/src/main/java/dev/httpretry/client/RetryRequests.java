package dev.httpretry.client;

import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Per-request control of retrying, through a request attribute, for {@code WebClient} and
 * {@code RestClient} alike:
 *
 * <pre class="code">
 * client.get().uri("/orders/{id}", id)
 *     .attributes(RetryRequests.client("payments"))   // this request uses the "payments" policy and budget
 *     .retrieve()...
 *
 * client.post().uri("/orders")
 *     .attributes(RetryRequests.noRetry())            // this request is sent once, as without the starter
 *     .retrieve()...
 * </pre>
 *
 * A request without the attribute uses the policy of the client it is sent through:
 * {@value dev.httpretry.core.RetryClients#DEFAULT_CLIENT} for clients built from the auto-configured
 * builders, or the named client's own. Naming a client that is not configured fails the request.
 */
public final class RetryRequests {

    /** The request attribute that selects a client by name, or turns retrying off. */
    public static final String ATTRIBUTE = RetryRequests.class.getName() + ".client";

    /** The attribute value that turns retrying off for a request. */
    static final Object NO_RETRY = new Object() {
        @Override
        public String toString() {
            return "no-retry";
        }
    };

    private RetryRequests() {
    }

    /**
     * Sends this request under the policy (and budget) of the named client.
     * @param name the client's name, {@value dev.httpretry.core.RetryClients#DEFAULT_CLIENT} or one under {@code http.retry.clients}
     * @return the attributes to pass to {@code RequestHeadersSpec.attributes(...)}
     */
    public static Consumer<Map<String, Object>> client(String name) {
        Objects.requireNonNull(name, "name");
        return (attributes) -> attributes.put(ATTRIBUTE, name);
    }

    /**
     * Sends this request once, without retrying: it bypasses the starter entirely.
     * @return the attributes to pass to {@code RequestHeadersSpec.attributes(...)}
     */
    public static Consumer<Map<String, Object>> noRetry() {
        return (attributes) -> attributes.put(ATTRIBUTE, NO_RETRY);
    }
}
