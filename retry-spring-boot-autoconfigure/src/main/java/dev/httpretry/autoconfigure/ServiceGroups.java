package dev.httpretry.autoconfigure;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import dev.httpretry.annotation.HttpRetry;
import dev.httpretry.client.HttpRetryAnnotations;
import dev.httpretry.core.RetryClient;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetrySettings;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.resilience.annotation.Retryable;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;
import org.springframework.web.service.registry.HttpServiceGroup;

/**
 * What http-retry does to each HTTP service group, whichever client type backs it: a group {@code G}
 * runs under the retry client {@code G} (its policy, budgets and name in meters, the endpoint and the
 * decision log) when there is one, its interfaces' {@link HttpRetry} annotations apply to their calls,
 * and at start-up each annotation is checked and a method that Spring's {@code @Retryable} retries too
 * gets one warning, since the two limits multiply.
 */
final class ServiceGroups {

    private static final Log logger = LogFactory.getLog(ServiceGroups.class);

    private final RetryClients clients;

    private final HttpRetryAnnotations annotations = new HttpRetryAnnotations();

    /** The methods warned about already: each once, whatever number of groups or client types list it. */
    private final Set<Method> warned = ConcurrentHashMap.newKeySet();

    ServiceGroups(RetryClients clients) {
        this.clients = clients;
    }

    /**
     * Configures one group.
     * @param group the group
     * @param factory its proxy factory's builder
     * @param defaultClient sets the retry client every request of the group's client runs under by default
     * @throws IllegalStateException if an annotation asks for what is not allowed
     */
    void configure(HttpServiceGroup group, HttpServiceProxyFactory.Builder factory, Consumer<String> defaultClient) {
        RetryClient client = this.clients.find(group.name());
        if (client != null) {
            defaultClient.accept(client.name());
        }
        factory.httpRequestValuesProcessor(this.annotations);
        RetryClient effective = (client != null) ? client : this.clients.get(RetryClients.DEFAULT_CLIENT);
        for (Class<?> type : group.httpServiceTypes()) {
            for (Method method : type.getMethods()) {
                if (Modifier.isAbstract(method.getModifiers())) {
                    check(method, effective);
                }
            }
        }
    }

    private void check(Method method, RetryClient groupClient) {
        HttpRetry annotation = HttpRetryAnnotations.find(method);
        RetryClient client = groupClient;
        int maxAttempts = client.policy().settings().maxAttempts();
        if (annotation != null) {
            if (annotation.maxAttempts() < 0 || annotation.maxAttempts() > RetrySettings.MAX_ATTEMPTS_LIMIT) {
                throw invalid(method, "maxAttempts = " + annotation.maxAttempts(), "must be 0 (the client's) or 1 to "
                        + RetrySettings.MAX_ATTEMPTS_LIMIT);
            }
            if (!annotation.client().isEmpty()) {
                RetryClient named = this.clients.find(annotation.client());
                if (named == null) {
                    throw invalid(method, "client = \"" + annotation.client() + "\"", "must name a configured client, one of "
                            + this.clients.names());
                }
                client = named;
                maxAttempts = named.policy().settings().maxAttempts();
            }
            maxAttempts = !annotation.enabled() ? 1 : (annotation.maxAttempts() != 0) ? annotation.maxAttempts() : maxAttempts;
        }
        warnIfRetriedTwice(method, client, maxAttempts);
    }

    private void warnIfRetriedTwice(Method method, RetryClient client, int maxAttempts) {
        Retryable retryable = retryable(method);
        if (retryable == null || !client.enabled() || maxAttempts < 2 || !this.warned.add(method)) {
            return;
        }
        String theirs = retryable.maxRetriesString().isEmpty() ? String.valueOf(retryable.maxRetries() + 1)
                : "'" + retryable.maxRetriesString() + "' + 1";
        String product = retryable.maxRetriesString().isEmpty() ? String.valueOf((retryable.maxRetries() + 1) * maxAttempts)
                : theirs + " x " + maxAttempts;
        logger.warn(describe(method) + " is @Retryable (up to " + theirs + " attempts) and its calls go through http-retry's client '"
                + client.name() + "' (up to " + maxAttempts + " attempts each): a failing call can send up to " + product
                + " requests, and neither the retry budget nor the meters see Spring's retries. Keep one: remove @Retryable, or"
                + " put @HttpRetry(enabled = false) on it.");
    }

    private static @Nullable Retryable retryable(Method method) {
        Retryable retryable = AnnotatedElementUtils.findMergedAnnotation(method, Retryable.class);
        return (retryable != null) ? retryable : AnnotatedElementUtils.findMergedAnnotation(method.getDeclaringClass(), Retryable.class);
    }

    private static IllegalStateException invalid(Method method, String value, String requirement) {
        return new IllegalStateException("Invalid @HttpRetry(" + value + ") on " + describe(method) + ": " + requirement);
    }

    private static String describe(Method method) {
        return method.getDeclaringClass().getName() + "." + method.getName() + "()";
    }
}
