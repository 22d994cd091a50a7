package dev.httpretry.autoconfigure;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.httpretry.core.ExceptionClassifier;
import dev.httpretry.core.RetryClients;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of http-retry under {@code http.retry}: the top-level settings are the policy of
 * every {@code WebClient} built from the auto-configured builder (client {@code default}), and the
 * defaults of each named client.
 */
@ConfigurationProperties(HttpRetryProperties.PREFIX)
public class HttpRetryProperties extends PolicyProperties {

    /** The prefix of every key. */
    public static final String PREFIX = "http.retry";

    /**
     * Master switch; false retries nothing (named clients stay, sending each request once).
     */
    private boolean enabled = true;

    /**
     * Named clients: each key is a client name; its settings fall back, key by key, to the top level. A client with a base-url also gets a WebClient bean of that name (and a RestClient bean "<name>RestClient" with spring-boot-restclient).
     */
    private Map<String, ClientProperties> clients = new LinkedHashMap<>();

    /**
     * What an application's tests change; takes effect only with dev.httpretry:retry-spring-boot-test on the classpath.
     */
    private final Testing testing = new Testing();

    /**
     * The retry clients these properties describe, each with a budget of its own, as the
     * auto-configuration builds them: {@code default} with the top-level policy, then each named client.
     * @param clock the clock that drives the budgets (a monotonic one in an application)
     * @return the clients
     * @throws InvalidRetryPropertyException if a value is not allowed
     */
    public RetryClients toClients(Clock clock) {
        return RetryPolicyFactory.clients(this, clock);
    }

    /**
     * The retry clients these properties describe, with the application's exception classifiers
     * asked before the built-in rules, as the auto-configuration builds them.
     * @param clock the clock that drives the budgets (a monotonic one in an application)
     * @param classifiers in order: each applies to every client, or, a {@link ClientExceptionClassifier}, to its client only
     * @return the clients
     * @throws InvalidRetryPropertyException if a value is not allowed
     * @throws IllegalStateException if a {@link ClientExceptionClassifier} names a client that is not configured
     */
    public RetryClients toClients(Clock clock, List<? extends ExceptionClassifier> classifiers) {
        return RetryPolicyFactory.clients(this, clock, classifiers);
    }

    /**
     * The retry clients these properties describe, plus one for each HTTP service group named here that
     * has no {@code http.retry.clients} entry of its own: it takes the top-level policy, under its own
     * name and with budgets of its own.
     * @param clock the clock that drives the budgets (a monotonic one in an application)
     * @param classifiers in order: each applies to every client, or, a {@link ClientExceptionClassifier}, to its client only
     * @param serviceGroups the names of the application's HTTP service groups
     * @return the clients
     * @throws InvalidRetryPropertyException if a value is not allowed
     */
    public RetryClients toClients(Clock clock, List<? extends ExceptionClassifier> classifiers, Set<String> serviceGroups) {
        return RetryPolicyFactory.clients(this, clock, classifiers, serviceGroups);
    }

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Map<String, ClientProperties> getClients() {
        return this.clients;
    }

    public void setClients(Map<String, ClientProperties> clients) {
        this.clients = clients;
    }

    public Testing getTesting() {
        return this.testing;
    }

    /** What an application's tests change, under {@code http.retry.testing}. */
    public static class Testing {

        /**
         * Whether every wait before a next attempt ends at once, while every decision stays the one real time would make (the deadline counts the planned waits). Ignored, with a warning, without dev.httpretry:retry-spring-boot-test.
         */
        private boolean skipWaits;

        public boolean isSkipWaits() {
            return this.skipWaits;
        }

        public void setSkipWaits(boolean skipWaits) {
            this.skipWaits = skipWaits;
        }
    }
}
