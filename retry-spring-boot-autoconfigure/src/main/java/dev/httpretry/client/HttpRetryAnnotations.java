package dev.httpretry.client;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import dev.httpretry.annotation.HttpRetry;
import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.service.invoker.HttpRequestValues;

/**
 * Reads {@link HttpRetry} on HTTP service interfaces: for each call of an annotated interface or
 * method (the method's wins), the request attributes of {@link RetryRequests} that say so. Installed
 * on the proxy factory of every HTTP service group; what a method's annotation asks for is worked out
 * once per method. Thread-safe.
 */
public final class HttpRetryAnnotations implements HttpRequestValues.Processor {

    private static final Consumer<Map<String, Object>> NONE = (attributes) -> {
    };

    private final Map<Method, Consumer<Map<String, Object>>> byMethod = new ConcurrentHashMap<>();

    @Override
    public void process(Method method, MethodParameter[] parameters, @Nullable Object[] arguments, HttpRequestValues.Builder builder) {
        Consumer<Map<String, Object>> attributes = this.byMethod.computeIfAbsent(method, HttpRetryAnnotations::attributesOf);
        if (attributes != NONE) {
            builder.configureAttributes(attributes);
        }
    }

    /**
     * The annotation that applies to a method of an HTTP service interface: its own, else its interface's.
     * @param method the method
     * @return the annotation, or {@code null} when neither has one
     */
    public static @Nullable HttpRetry find(Method method) {
        HttpRetry annotation = AnnotatedElementUtils.findMergedAnnotation(method, HttpRetry.class);
        return (annotation != null) ? annotation : AnnotatedElementUtils.findMergedAnnotation(method.getDeclaringClass(), HttpRetry.class);
    }

    private static Consumer<Map<String, Object>> attributesOf(Method method) {
        HttpRetry annotation = find(method);
        if (annotation == null) {
            return NONE;
        }
        if (!annotation.enabled()) {
            return RetryRequests.noRetry();
        }
        Consumer<Map<String, Object>> attributes = NONE;
        if (!annotation.client().isEmpty()) {
            attributes = attributes.andThen(RetryRequests.client(annotation.client()));
        }
        if (annotation.maxAttempts() != 0) {
            attributes = attributes.andThen(RetryRequests.maxAttempts(annotation.maxAttempts()));
        }
        if (annotation.idempotent()) {
            attributes = attributes.andThen(RetryRequests.idempotent());
        }
        return attributes;
    }
}
