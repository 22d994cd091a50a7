package dev.httpretry.autoconfigure;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.util.ClassUtils;

/**
 * Warns, once at start-up, when the request factory Boot gives {@code RestClient} cannot be bounded
 * per attempt: the retry interceptor bounds an attempt by interrupting the calling thread, which
 * aborts the wait for a response of Reactor Netty's and the JDK {@code HttpClient}'s factories, but
 * not the blocking socket reads of the others.
 */
final class RequestFactoryCheck {

    private static final Log logger = LogFactory.getLog(RequestFactoryCheck.class);

    private static final String BUILDER = "org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder";

    private RequestFactoryCheck() {
    }

    static void warnIfAttemptsUnbounded(ListableBeanFactory beanFactory) {
        if (!ClassUtils.isPresent(BUILDER, RequestFactoryCheck.class.getClassLoader())) {
            return;
        }
        Detected.check(beanFactory);
    }

    /** Loaded only when Boot's HTTP client support is present. */
    private static final class Detected {

        static void check(ListableBeanFactory beanFactory) {
            ClientHttpRequestFactoryBuilder<?> builder = beanFactory.getBeanProvider(ClientHttpRequestFactoryBuilder.class)
                .getIfAvailable(ClientHttpRequestFactoryBuilder::detect);
            String message = warning(builder);
            if (message != null) {
                logger.warn(message);
            }
        }
    }

    /**
     * The factory a Boot builder makes ({@code ...boot.http.client.XClientHttpRequestFactoryBuilder}
     * makes Spring's {@code ...http.client.XClientHttpRequestFactory}), with the builder; another builder by its own name.
     */
    private static String factoryName(String builder) {
        String boot = "org.springframework.boot.http.client.";
        if (builder.startsWith(boot) && builder.endsWith("ClientHttpRequestFactoryBuilder")) {
            String factory = builder.substring(boot.length(), builder.length() - "Builder".length());
            return "org.springframework.http.client." + factory + " (from " + builder + ")";
        }
        return builder;
    }

    /** The warning for a request factory builder, or {@code null} when its factories can be bounded per attempt. */
    static @org.jspecify.annotations.Nullable String warning(Object builder) {
        if (builder instanceof ReactorClientHttpRequestFactoryBuilder || builder instanceof JdkClientHttpRequestFactoryBuilder) {
            return null;
        }
        return "RestClient requests are made with " + factoryName(builder.getClass().getName())
                + ", whose requests the retry interceptor cannot bound per attempt (a blocked read ignores the"
                + " interrupt that ends an attempt): http.retry attempt-timeout and deadline are enforced only"
                + " between attempts. Set its read timeout (spring.http.clients.read-timeout), or use the"
                + " reactor or jdk factory (spring.http.clients.imperative.factory)";
    }
}
