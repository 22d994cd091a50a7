package dev.httpretry.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains an {@link InvalidRetryPropertyException} at start-up: which key, which value, what is allowed. */
class InvalidRetryPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidRetryPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidRetryPropertyException cause) {
        String description = "Invalid value '" + cause.getValue() + "' for property '" + cause.getProperty() + "': "
                + cause.getRequirement() + ".";
        String action = "Update your application's configuration: set '" + cause.getProperty()
                + "' to a value that " + cause.getRequirement().replaceFirst("^must ", "") + ".";
        return new FailureAnalysis(description, action, cause);
    }
}
