package dev.httpretry.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * A property under {@code http.retry} has a value that is not allowed. Thrown at start-up; its
 * {@link InvalidRetryPropertyFailureAnalyzer failure analysis} names the full key, the value and what
 * is allowed.
 */
public class InvalidRetryPropertyException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String property;

    private final String value;

    private final String requirement;

    /**
     * Creates the exception.
     * @param property the full key, such as {@code http.retry.clients.payments.max-attempts}
     * @param value the rejected value
     * @param requirement what is allowed, such as {@code must be at least 1}
     * @param cause the exception that detected the problem, or {@code null} if it was found here
     */
    public InvalidRetryPropertyException(String property, String value, String requirement, @Nullable Throwable cause) {
        super("Invalid " + property + " (" + value + "): " + requirement, cause);
        this.property = property;
        this.value = value;
        this.requirement = requirement;
    }

    /**
     * The full property key.
     * @return the key
     */
    public String getProperty() {
        return this.property;
    }

    /**
     * The rejected value.
     * @return the value
     */
    public String getValue() {
        return this.value;
    }

    /**
     * What is allowed.
     * @return the requirement
     */
    public String getRequirement() {
        return this.requirement;
    }
}
