package dev.httpretry.client;

import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import dev.httpretry.core.CallOptions;

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
 * A request may also carry its own limit of attempts ({@link #maxAttempts(int)}) or be sent again
 * as if it carried an {@code Idempotency-Key} ({@link #idempotent()}); {@code @HttpRetry} on an HTTP
 * service interface sets these for its calls. A request without the attribute uses the policy of
 * the client it is sent through:
 * {@value dev.httpretry.core.RetryClients#DEFAULT_CLIENT} for clients built from the auto-configured
 * builders, or the named client's own. Naming a client that is not configured fails the request.
 */
public final class RetryRequests {

    /** The request attribute that selects a client by name, or turns retrying off. */
    public static final String ATTRIBUTE = RetryRequests.class.getName() + ".client";

    /** The request attribute that holds a request's own {@link CallOptions}. */
    public static final String OPTIONS_ATTRIBUTE = RetryRequests.class.getName() + ".options";

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

    /**
     * Sends this request at most this many times in all, in place of its client's {@code max-attempts}.
     * @param maxAttempts 1 to 100
     * @return the attributes to pass to {@code RequestHeadersSpec.attributes(...)}
     * @throws dev.httpretry.core.InvalidSettingException if out of range
     */
    public static Consumer<Map<String, Object>> maxAttempts(int maxAttempts) {
        CallOptions options = new CallOptions(maxAttempts, false);
        return (attributes) -> attributes.merge(OPTIONS_ATTRIBUTE, options, RetryRequests::merge);
    }

    /**
     * Lets this request be sent again once it may have reached the server, whatever its method, as if
     * it carried an {@code Idempotency-Key}: the server must make repeats harmless.
     * @return the attributes to pass to {@code RequestHeadersSpec.attributes(...)}
     */
    public static Consumer<Map<String, Object>> idempotent() {
        return (attributes) -> attributes.merge(OPTIONS_ATTRIBUTE, IDEMPOTENT, RetryRequests::merge);
    }

    /** The options a request's attributes carry. */
    static CallOptions options(Map<String, Object> attributes) {
        return (attributes.get(OPTIONS_ATTRIBUTE) instanceof CallOptions options) ? options : CallOptions.NONE;
    }

    private static Object merge(Object present, Object added) {
        return (present instanceof CallOptions options) ? options.with((CallOptions) added) : added;
    }

    private static final CallOptions IDEMPOTENT = new CallOptions(0, true);
}
