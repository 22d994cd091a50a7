package dev.httpretry.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings as the {@code retry} endpoint shows them ({@link RetrySettings#describe()}): keyed by
 * property name, durations in their configured form ({@code 250ms}), in the order of the property table.
 */
final class SettingsView {

    private SettingsView() {
    }

    static Map<String, Object> of(RetrySettings settings) {
        Backoff backoff = settings.backoff();
        Map<String, Object> backoffView = new LinkedHashMap<>();
        backoffView.put("initial-delay", Durations.format(backoff.initialDelay()));
        backoffView.put("multiplier", backoff.multiplier());
        backoffView.put("max-delay", Durations.format(backoff.maxDelay()));
        backoffView.put("jitter", backoff.jitter().configName());
        RetrySettings.RetryAfterSettings retryAfter = settings.retryAfter();
        Map<String, Object> retryAfterView = new LinkedHashMap<>();
        retryAfterView.put("enabled", retryAfter.enabled());
        retryAfterView.put("max-wait", Durations.format(retryAfter.maxWait()));
        retryAfterView.put("rate-limit-headers", retryAfter.rateLimitHeaders());
        RetrySettings.BudgetSettings budget = settings.budget();
        Map<String, Object> budgetView = new LinkedHashMap<>();
        budgetView.put("enabled", budget.enabled());
        budgetView.put("ratio", budget.ratio());
        budgetView.put("min-retries-per-second", budget.minRetriesPerSecond());
        budgetView.put("max-destinations", budget.maxDestinations());
        budgetView.put("window", Durations.format(budget.window()));
        RetrySettings.HedgingSettings hedging = settings.hedging();
        Map<String, Object> hedgingView = new LinkedHashMap<>();
        hedgingView.put("enabled", hedging.enabled());
        hedgingView.put("delay", hedging.autoDelay() ? "auto" : Durations.format(hedging.delay()));
        hedgingView.put("min-delay", Durations.format(hedging.minDelay()));
        hedgingView.put("max-hedges", hedging.maxHedges());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("max-attempts", settings.maxAttempts());
        view.put("backoff", backoffView);
        view.put("attempt-timeout", Durations.format(settings.attemptTimeout()));
        view.put("deadline", Durations.format(settings.deadline()));
        view.put("retry-after", retryAfterView);
        view.put("statuses", settings.statuses());
        view.put("server-error-retries", settings.serverErrorRetries());
        view.put("connection-refused-min-delay", Durations.format(settings.connectionRefusedMinDelay()));
        view.put("methods", settings.methods());
        view.put("budget", budgetView);
        view.put("body-replay-limit", settings.bodyReplayLimit());
        view.put("attempt-header", settings.attemptHeader());
        view.put("hedging", hedgingView);
        view.put("adaptive", Map.of("enabled", settings.adaptive()));
        return view;
    }
}
