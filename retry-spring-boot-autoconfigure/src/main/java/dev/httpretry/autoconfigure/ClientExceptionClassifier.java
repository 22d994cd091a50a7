package dev.httpretry.autoconfigure;

import java.util.Objects;

import dev.httpretry.core.Category;
import dev.httpretry.core.ExceptionClassifier;
import org.jspecify.annotations.Nullable;

/**
 * An {@link ExceptionClassifier} for one named client only ({@code http.retry.clients.<name>}, or
 * {@code default} for the top-level policy). Declared as a bean, it is asked before the built-in
 * rules of that client, in the same order as the {@code ExceptionClassifier} beans that apply to
 * every client ({@link org.springframework.core.annotation.Order @Order} or
 * {@link org.springframework.core.Ordered}):
 *
 * <pre>{@code
 * @Bean
 * ClientExceptionClassifier paymentsNeverRetryTls() {
 *     return new ClientExceptionClassifier("payments",
 *             (error) -> (error instanceof SSLException) ? Category.PERMANENT : null);
 * }
 * }</pre>
 *
 * A client name that is not configured stops start-up.
 *
 * @param client the client's name
 * @param classifier the classifier: thread-safe, never throwing, {@code null} for an exception it leaves to the next
 */
public record ClientExceptionClassifier(String client, ExceptionClassifier classifier) implements ExceptionClassifier {

    /** Checks the arguments. */
    public ClientExceptionClassifier {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(classifier, "classifier");
    }

    @Override
    public @Nullable Category categoryOf(Throwable error) {
        return this.classifier.categoryOf(error);
    }
}
