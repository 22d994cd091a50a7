package dev.httpretry.core;

import java.util.Objects;

/**
 * A retry setting has a value that is not allowed. The message quotes the setting, the value and
 * what is allowed ({@code Invalid max-attempts (0): must be at least 1}); the parts are also
 * available separately, so a configuration layer can name the full property key.
 */
public final class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String setting;

    private final String value;

    private final String requirement;

    /**
     * Creates the exception.
     * @param setting the setting's name as configured, relative to the policy ({@code max-attempts}, {@code backoff.jitter})
     * @param value the rejected value as text
     * @param requirement what is allowed, as the end of a sentence ({@code must be at least 1})
     */
    public InvalidSettingException(String setting, String value, String requirement) {
        super("Invalid " + setting + " (" + value + "): " + requirement);
        this.setting = Objects.requireNonNull(setting, "setting");
        this.value = Objects.requireNonNull(value, "value");
        this.requirement = Objects.requireNonNull(requirement, "requirement");
    }

    /**
     * The setting's name relative to the policy, such as {@code backoff.max-delay}.
     * @return the name
     */
    public String setting() {
        return setting;
    }

    /**
     * The rejected value as text.
     * @return the value
     */
    public String value() {
        return value;
    }

    /**
     * What is allowed, such as {@code must be at least 1}.
     * @return the requirement
     */
    public String requirement() {
        return requirement;
    }
}
