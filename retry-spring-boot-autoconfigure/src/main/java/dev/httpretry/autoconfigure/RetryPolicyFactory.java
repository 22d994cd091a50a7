package dev.httpretry.autoconfigure;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.httpretry.core.ClientLibraryExceptionClassifier;
import dev.httpretry.core.Durations;
import dev.httpretry.core.ExceptionClassifier;
import dev.httpretry.core.InvalidSettingException;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.core.RetryPolicyBuilder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link RetryPolicy} from the properties: the core defaults, then the top level, then a
 * client's own keys. A rejected value becomes an {@link InvalidRetryPropertyException} that names
 * the full key of the layer that set it.
 */
final class RetryPolicyFactory {

    /** Deadlines and attempt timeouts below this many milliseconds get a start-up warning. */
    static final int TINY_MILLIS = 100;

    private static final Log logger = LogFactory.getLog(HttpRetryProperties.class);

    private RetryPolicyFactory() {
    }

    /**
     * Builds every client from the properties, each with a budget of its own.
     * @param properties the bound properties
     * @param clock the clock that drives the budgets
     * @return the clients, {@value RetryClients#DEFAULT_CLIENT} first
     * @throws InvalidRetryPropertyException if a value is not allowed
     */
    static RetryClients clients(HttpRetryProperties properties, Clock clock) {
        return clients(properties, clock, List.of());
    }

    /**
     * Builds every client from the properties, each with a budget of its own, and with the
     * application's classifiers asked before the built-in rules.
     * @param properties the bound properties
     * @param clock the clock that drives the budgets
     * @param classifiers in order: each applies to every client, or, a {@link ClientExceptionClassifier}, to its client only
     * @return the clients, {@value RetryClients#DEFAULT_CLIENT} first
     * @throws InvalidRetryPropertyException if a value is not allowed
     * @throws IllegalStateException if a {@link ClientExceptionClassifier} names a client that is not configured
     */
    static RetryClients clients(HttpRetryProperties properties, Clock clock, List<? extends ExceptionClassifier> classifiers) {
        return clients(properties, clock, classifiers, Set.of());
    }

    /**
     * Builds every client, plus one with the top-level policy for each HTTP service group that has no
     * client of its own.
     */
    static RetryClients clients(HttpRetryProperties properties, Clock clock, List<? extends ExceptionClassifier> classifiers,
            Set<String> serviceGroups) {
        for (ExceptionClassifier classifier : classifiers) {
            if (classifier instanceof ClientExceptionClassifier forClient
                    && !RetryClients.DEFAULT_CLIENT.equals(forClient.client())
                    && !properties.getClients().containsKey(forClient.client()) && !serviceGroups.contains(forClient.client())) {
                throw new IllegalStateException("A ClientExceptionClassifier names the client '" + forClient.client()
                        + "', which is not configured: add http.retry.clients." + forClient.client()
                        + ".* or use one of " + clientNames(properties));
            }
        }
        warnIfTiny(HttpRetryProperties.PREFIX + ".", properties);
        properties.getClients().forEach((name, client) -> warnIfTiny(HttpRetryProperties.PREFIX + ".clients." + name + ".", client));
        Map<String, RetryPolicy> policies = new LinkedHashMap<>();
        Set<String> disabled = new HashSet<>();
        policies.put(RetryClients.DEFAULT_CLIENT, topLevel(properties, classifiersFor(RetryClients.DEFAULT_CLIENT, classifiers)));
        properties.getClients().forEach((name, client) -> {
            if (RetryClients.DEFAULT_CLIENT.equals(name)) {
                throw new InvalidRetryPropertyException(HttpRetryProperties.PREFIX + ".clients." + name, name,
                        "must not be '" + RetryClients.DEFAULT_CLIENT + "', the name of the top-level policy", null);
            }
            if (Boolean.FALSE.equals(client.getEnabled())) {
                disabled.add(name);
            }
            policies.put(name, client(properties, name, client, classifiersFor(name, classifiers)));
        });
        for (String group : serviceGroups) {
            if (!policies.containsKey(group)) {
                policies.put(group, client(properties, group, new ClientProperties(), classifiersFor(group, classifiers)));
            }
        }
        return RetryClients.of(policies, disabled, clock);
    }

    /**
     * Warns, once per key, of a deadline or attempt timeout under {@value #TINY_MILLIS} ms: valid, but
     * most likely a number written without its unit, which Spring reads as milliseconds.
     */
    private static void warnIfTiny(String prefix, PolicyProperties properties) {
        warnIfTiny(prefix + "deadline", properties.getDeadline());
        warnIfTiny(prefix + "attempt-timeout", properties.getAttemptTimeout());
    }

    private static void warnIfTiny(String key, @Nullable Duration value) {
        if (value != null && !value.isNegative() && !value.isZero() && value.toMillis() < TINY_MILLIS && logger.isWarnEnabled()) {
            logger.warn("Property '" + key + "' is " + Durations.format(value) + ", so every call fails unless it ends within "
                    + Durations.format(value) + ". A number without a unit is read as milliseconds: did you mean "
                    + value.toMillis() + "s?");
        }
    }

    private static List<String> clientNames(HttpRetryProperties properties) {
        List<String> names = new ArrayList<>();
        names.add(RetryClients.DEFAULT_CLIENT);
        names.addAll(properties.getClients().keySet());
        return names;
    }

    /** The classifiers that apply to one client, in their order. */
    private static List<ExceptionClassifier> classifiersFor(String name, List<? extends ExceptionClassifier> classifiers) {
        List<ExceptionClassifier> result = new ArrayList<>();
        for (ExceptionClassifier classifier : classifiers) {
            if (!(classifier instanceof ClientExceptionClassifier forClient) || forClient.client().equals(name)) {
                result.add(classifier);
            }
        }
        return result;
    }

    /**
     * Checks a named client's {@code base-url}: an absolute {@code http} or {@code https} URL with a host.
     * @param name the client's name
     * @param baseUrl the configured value
     * @throws InvalidRetryPropertyException if it is not such a URL
     */
    static void checkBaseUrl(String name, String baseUrl) {
        String requirement = null;
        try {
            URI uri = new URI(baseUrl);
            String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : null;
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
                requirement = "must be an absolute http or https URL, such as https://payments.internal.example";
            }
            else if (uri.getHost() == null || uri.getHost().isEmpty()) {
                requirement = "must name a host, such as https://payments.internal.example";
            }
        }
        catch (URISyntaxException ex) {
            requirement = "must be a valid URL (" + ex.getReason() + ")";
        }
        if (requirement != null) {
            throw new InvalidRetryPropertyException(HttpRetryProperties.PREFIX + ".clients." + name + ".base-url", baseUrl,
                    requirement, null);
        }
    }

    /**
     * The top-level policy (client {@code default}).
     * @param properties the bound properties
     * @return the policy
     * @throws InvalidRetryPropertyException if a value is not allowed
     */
    static RetryPolicy topLevel(HttpRetryProperties properties) {
        return topLevel(properties, List.of());
    }

    private static RetryPolicy topLevel(HttpRetryProperties properties, List<ExceptionClassifier> classifiers) {
        RetryPolicyBuilder builder = newBuilder(classifiers);
        String prefix = HttpRetryProperties.PREFIX + ".";
        apply(properties, builder, prefix);
        return build(builder, prefix);
    }

    /**
     * A named client's policy: its own keys over the top level.
     * @param properties the bound properties
     * @param name the client's name
     * @param client the client's own properties
     * @return the policy
     * @throws InvalidRetryPropertyException if a value is not allowed
     */
    static RetryPolicy client(HttpRetryProperties properties, String name, ClientProperties client) {
        return client(properties, name, client, List.of());
    }

    private static RetryPolicy client(HttpRetryProperties properties, String name, ClientProperties client,
            List<ExceptionClassifier> classifiers) {
        RetryPolicyBuilder builder = newBuilder(classifiers);
        String topPrefix = HttpRetryProperties.PREFIX + ".";
        String clientPrefix = topPrefix + "clients." + name + ".";
        apply(properties, builder, topPrefix);
        apply(client, builder, clientPrefix);
        try {
            return builder.build();
        }
        catch (InvalidSettingException ex) {
            // max-delay below initial-delay: blame the key the client set, not an inherited one
            Duration initialDelay = client.getBackoff().getInitialDelay();
            if (client.getBackoff().getMaxDelay() == null && initialDelay != null) {
                throw new InvalidRetryPropertyException(clientPrefix + "backoff.initial-delay",
                        Durations.format(initialDelay), "must be at most backoff.max-delay (" + ex.value() + ")", ex);
            }
            throw invalid((client.getBackoff().getMaxDelay() != null) ? clientPrefix : topPrefix, ex);
        }
    }

    /** The application's classifiers first, then the client libraries' types (the JDK's come last, in the policy). */
    private static RetryPolicyBuilder newBuilder(List<ExceptionClassifier> classifiers) {
        if (classifiers.isEmpty()) {
            return RetryPolicy.builder().exceptionClassifier(ClientLibraryExceptionClassifier.INSTANCE);
        }
        List<ExceptionClassifier> all = new ArrayList<>(classifiers);
        all.add(ClientLibraryExceptionClassifier.INSTANCE);
        return RetryPolicy.builder().exceptionClassifier(ExceptionClassifier.firstOf(all));
    }

    private static RetryPolicy build(RetryPolicyBuilder builder, String prefix) {
        try {
            return builder.build();
        }
        catch (InvalidSettingException ex) {
            throw invalid(prefix, ex);
        }
    }

    private static void apply(PolicyProperties properties, RetryPolicyBuilder builder, String prefix) {
        try {
            properties.applyTo(builder);
        }
        catch (InvalidSettingException ex) {
            throw invalid(prefix, ex);
        }
    }

    private static InvalidRetryPropertyException invalid(String prefix, InvalidSettingException ex) {
        return new InvalidRetryPropertyException(prefix + ex.setting(), ex.value(), ex.requirement(), ex);
    }
}
