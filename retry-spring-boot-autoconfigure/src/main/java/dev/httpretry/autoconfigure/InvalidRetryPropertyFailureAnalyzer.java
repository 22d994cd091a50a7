package dev.httpretry.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains an {@link InvalidRetryPropertyException} at start-up: which key, which value, what is allowed. */
class InvalidRetryPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidRetryPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidRetryPropertyException cause) {
        String description = "Invalid value '" + cause.getValue() + "' for property '" + cause.getProperty() + "': "
                + cause.getRequirement() + ".";
        // Requirements are phrased for the exception's message ("must be at least 1", "400, 401, 403 and 404
        // are never retried"), so they are quoted whole rather than spliced into a sentence.
        String action = "Update your application's configuration: give '" + cause.getProperty()
                + "' a value that is allowed (" + cause.getRequirement() + ").";
        return new FailureAnalysis(description, action, cause);
    }
}
