package dev.httpretry.autoconfigure;

import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InjectionPoint;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.UnsatisfiedDependencyException;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.MethodParameter;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Explains a {@code @Qualifier("<name>") WebClient} (or {@code RestClient}) injection point that
 * found no bean because {@code http.retry.clients.<name>.base-url} is not set: Boot's own analysis
 * only says that no bean of the type was found. Runs before Boot's analyzers; leaves every other
 * missing bean to them.
 */
class MissingNamedClientFailureAnalyzer extends AbstractFailureAnalyzer<UnsatisfiedDependencyException> implements Ordered {

    private static final Set<String> CLIENT_TYPES = Set.of("org.springframework.web.reactive.function.client.WebClient",
            "org.springframework.web.client.RestClient");

    private final @Nullable Environment environment;

    MissingNamedClientFailureAnalyzer(@Nullable Environment environment) {
        this.environment = environment;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, UnsatisfiedDependencyException cause) {
        InjectionPoint injectionPoint = cause.getInjectionPoint();
        if (injectionPoint == null || !(cause.getCause() instanceof NoSuchBeanDefinitionException)) {
            return null;
        }
        Class<?> type = injectionPoint.getDeclaredType();
        String name = qualifier(injectionPoint);
        if (!CLIENT_TYPES.contains(type.getName()) || name == null) {
            return null;
        }
        Map<String, NamedClientsRegistrar.BaseUrl> clients = configuredClients();
        NamedClientsRegistrar.BaseUrl client = clients.get(name);
        if (client != null && hasBaseUrl(client)) {
            // the client is configured: something else keeps its bean away
            return null;
        }
        String key = HttpRetryProperties.PREFIX + ".clients." + name + ".base-url";
        String description = describe(injectionPoint) + " required a " + type.getSimpleName() + " qualified '" + name
                + "', but '" + key + "' is not set, so http-retry registered no such client.";
        Set<String> withBaseUrl = new TreeSet<>();
        clients.forEach((configured, properties) -> {
            if (hasBaseUrl(properties)) {
                withBaseUrl.add(configured);
            }
        });
        String action = "Set '" + key + "' (an absolute http or https URL) in your application's configuration"
                + (setsOtherKeys(name) ? " (http.retry.clients." + name + " sets other keys, but no base-url)" : "")
                + ", or change the qualifier to the name of a configured client"
                + (withBaseUrl.isEmpty() ? " (none is configured)." : ": " + String.join(", ", withBaseUrl) + ".");
        return new FailureAnalysis(description, action, cause);
    }

    /** As Boot's own analysis names an injection point. */
    private static String describe(InjectionPoint injectionPoint) {
        Field field = injectionPoint.getField();
        if (field != null) {
            return "Field " + field.getName() + " in " + field.getDeclaringClass().getName();
        }
        MethodParameter parameter = injectionPoint.getMethodParameter();
        if (parameter == null) {
            return String.valueOf(injectionPoint);
        }
        Method method = parameter.getMethod();
        return "Parameter " + parameter.getParameterIndex() + " of "
                + ((method != null) ? "method " + method.getName() : "constructor") + " in "
                + parameter.getDeclaringClass().getName();
    }

    private boolean setsOtherKeys(String name) {
        return this.environment != null && Binder.get(this.environment)
            .bind(HttpRetryProperties.PREFIX + ".clients." + name, Bindable.mapOf(String.class, Object.class))
            .isBound();
    }

    private static boolean hasBaseUrl(NamedClientsRegistrar.BaseUrl client) {
        String baseUrl = client.getBaseUrl();
        return baseUrl != null && !baseUrl.isBlank();
    }

    private static @Nullable String qualifier(InjectionPoint injectionPoint) {
        for (Annotation annotation : injectionPoint.getAnnotations()) {
            if (annotation instanceof Qualifier qualifier && !qualifier.value().isEmpty()) {
                return qualifier.value();
            }
        }
        return null;
    }

    private Map<String, NamedClientsRegistrar.BaseUrl> configuredClients() {
        if (this.environment == null) {
            return Map.of();
        }
        return Binder.get(this.environment)
            .bind(HttpRetryProperties.PREFIX + ".clients", Bindable.mapOf(String.class, NamedClientsRegistrar.BaseUrl.class))
            .orElse(Map.of());
    }
}
