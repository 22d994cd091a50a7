package dev.httpretry.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.SimpleClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.http.client.reactive.JdkClientHttpConnectorBuilder;
import org.springframework.util.ClassUtils;

/**
 * Warns, once at start-up for each client type, about what the HTTP client under it does that the
 * starter cannot change. The client is the one Boot builds: from its builder bean, or, without
 * one, from the builder Boot detects on the class path, as Boot's own auto-configurations do.
 *
 * <ul>
 * <li>{@code RestClient}: the retry interceptor bounds an attempt by interrupting the calling
 * thread, which aborts the wait for a response of Reactor Netty's and the JDK {@code HttpClient}'s
 * factories, but not the blocking socket reads of the others.</li>
 * <li>Both: a client that sends a request a second time itself, below the starter, and has no
 * setting to stop it (the ones that have one, {@link ConnectorRetries} turns off): the JDK
 * {@code HttpClient}, and {@code HttpURLConnection} under {@code RestClient}'s {@code simple}
 * factory.</li>
 * </ul>
 */
final class ConnectorCheck {

    private static final Log logger = LogFactory.getLog(ConnectorCheck.class);

    private static final String REQUEST_FACTORY_BUILDER = "org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder";

    private static final String CONNECTOR_BUILDER = "org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder";

    private ConnectorCheck() {
    }

    /**
     * Checks the request factory Boot gives {@code RestClient}, and logs a warning for each thing it does that the starter cannot change.
     * @param beanFactory the application's bean factory
     */
    static void checkRestClient(ListableBeanFactory beanFactory) {
        if (ClassUtils.isPresent(REQUEST_FACTORY_BUILDER, ConnectorCheck.class.getClassLoader())) {
            Detected.restClient(beanFactory).forEach(logger::warn);
        }
    }

    /**
     * Checks the connector Boot gives {@code WebClient}, and logs a warning when it sends requests again itself.
     * @param beanFactory the application's bean factory
     */
    static void checkWebClient(ListableBeanFactory beanFactory) {
        if (ClassUtils.isPresent(CONNECTOR_BUILDER, ConnectorCheck.class.getClassLoader())) {
            Detected.webClient(beanFactory).forEach(logger::warn);
        }
    }

    /** Loaded only when Boot's HTTP client support is present. */
    private static final class Detected {

        static List<String> restClient(ListableBeanFactory beanFactory) {
            ClientHttpRequestFactoryBuilder<?> builder = inUse(beanFactory, ClientHttpRequestFactoryBuilder.class,
                    () -> ClientHttpRequestFactoryBuilder.detect());
            List<String> warnings = new ArrayList<>(2);
            addIfPresent(warnings, unboundedWarning(builder));
            addIfPresent(warnings, resendWarning("RestClient", builder));
            return warnings;
        }

        static List<String> webClient(ListableBeanFactory beanFactory) {
            ClientHttpConnectorBuilder<?> builder = inUse(beanFactory, ClientHttpConnectorBuilder.class,
                    () -> ClientHttpConnectorBuilder.detect());
            List<String> warnings = new ArrayList<>(1);
            addIfPresent(warnings, resendWarning("WebClient", builder));
            return warnings;
        }

        /** The builder bean, else the one Boot detects from the class path when it defines none (in a reactive web application, for RestClient). */
        private static <T> T inUse(ListableBeanFactory beanFactory, Class<T> type, Supplier<T> detect) {
            return beanFactory.getBeanProvider(type).getIfAvailable(detect);
        }

        private static void addIfPresent(List<String> warnings, @Nullable String warning) {
            if (warning != null) {
                warnings.add(warning);
            }
        }
    }

    /**
     * What a Boot builder makes ({@code ...boot.http.client.XClientHttpRequestFactoryBuilder} makes Spring's
     * {@code ...http.client.XClientHttpRequestFactory}, {@code ...boot.http.client.reactive.XClientHttpConnectorBuilder}
     * makes {@code ...http.client.reactive.XClientHttpConnector}), with the builder; another builder by its own name.
     */
    private static String builtName(String builder) {
        String boot = "org.springframework.boot.http.client.";
        if (builder.startsWith(boot)
                && (builder.endsWith("ClientHttpRequestFactoryBuilder") || builder.endsWith("ClientHttpConnectorBuilder"))) {
            String built = builder.substring(boot.length(), builder.length() - "Builder".length());
            return "org.springframework.http.client." + built + " (from " + builder + ")";
        }
        return builder;
    }

    /** The warning for a request factory builder, or {@code null} when its factories can be bounded per attempt. */
    static @Nullable String unboundedWarning(Object builder) {
        if (builder instanceof ReactorClientHttpRequestFactoryBuilder || builder instanceof JdkClientHttpRequestFactoryBuilder) {
            return null;
        }
        return "RestClient requests are made with " + builtName(builder.getClass().getName())
                + ", whose requests the retry interceptor cannot bound per attempt (a blocked read ignores the"
                + " interrupt that ends an attempt): http.retry attempt-timeout and deadline are enforced only"
                + " between attempts. Set its read timeout (spring.http.clients.read-timeout), or use the"
                + " reactor or jdk factory (spring.http.clients.imperative.factory)";
    }

    /**
     * The warning for a builder whose client sends requests a second time itself and cannot be told
     * not to, or {@code null} when it does not or the starter turned it off.
     * @param client the client type, {@code WebClient} or {@code RestClient}
     * @param builder a request factory or connector builder
     * @return the warning, naming the client and what it sends again
     */
    static @Nullable String resendWarning(String client, Object builder) {
        String resends;
        if (builder instanceof JdkClientHttpConnectorBuilder || builder instanceof JdkClientHttpRequestFactoryBuilder) {
            resends = "the JDK HttpClient sends a GET or HEAD a second time itself when its connection closes or is"
                    + " reset before the response, and it has no setting that stops it (no jdk.httpclient system"
                    + " property does, and they would apply to every client in the JVM)";
        }
        else if (builder instanceof SimpleClientHttpRequestFactoryBuilder) {
            resends = "HttpURLConnection sends a GET, HEAD, OPTIONS or TRACE a second time itself when its connection"
                    + " fails before the response, and it has no setting that stops it";
        }
        else {
            return null;
        }
        String property = "RestClient".equals(client) ? "spring.http.clients.imperative.factory"
                : "spring.http.clients.reactive.connector";
        return client + " requests are made with " + builtName(builder.getClass().getName()) + ": " + resends
                + ". Such an attempt may reach the server twice, below http-retry's attempts, budget and meters."
                + " For one request per attempt, choose another with " + property + " (reactor, jetty or http-components)";
    }
}
