package dev.httpretry.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How the calls of an HTTP service interface (Spring's {@code @HttpExchange} interfaces, in an HTTP
 * service group) are retried: on the interface, for each of its methods, or on one method, which
 * wins over its interface. Without it, a call runs under its group's client ({@code
 * http.retry.clients.<group>}, else the top-level policy).
 *
 * <pre class="code">
 * &#64;HttpRetry(maxAttempts = 2)
 * interface Inventory {
 *
 *     &#64;GetExchange("/items/{id}")
 *     Item item(&#64;PathVariable String id);
 *
 *     &#64;HttpRetry(idempotent = true)      // the server de-duplicates by the order's id
 *     &#64;PostExchange("/orders")
 *     void order(&#64;RequestBody Order order);
 *
 *     &#64;HttpRetry(enabled = false)        // sent once, as without the starter
 *     &#64;PostExchange("/audit")
 *     void audit(&#64;RequestBody Event event);
 * }
 * </pre>
 *
 * Values are checked at start-up: a {@code maxAttempts} out of range or a {@code client} that is not
 * configured stops it, naming the method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface HttpRetry {

    /**
     * Whether the calls are retried at all.
     * @return {@code false} to send each request once, as without the starter
     */
    boolean enabled() default true;

    /**
     * Total attempts including the first, in place of the client's {@code max-attempts}.
     * @return 1 to 100, or {@code 0} (the default) for the client's
     */
    int maxAttempts() default 0;

    /**
     * Whether a request whose method is not in {@code methods} (a {@code POST}, say) may be retried
     * and hedged once it may have reached the server, as if it carried an {@code Idempotency-Key}:
     * the service must make repeats harmless.
     * @return {@code true} to treat the calls as idempotent
     */
    boolean idempotent() default false;

    /**
     * The name of the {@code http.retry.clients.<name>} whose policy and budgets the calls use.
     * @return a configured client's name, or empty (the default) for the group's
     */
    String client() default "";
}
