package dev.httpretry.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

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
     * Master switch; false leaves every WebClient untouched.
     */
    private boolean enabled = true;

    /**
     * Named clients: each key is a client name; its settings fall back, key by key, to the top level. A client with a base-url also gets a WebClient bean of that name.
     */
    private Map<String, ClientProperties> clients = new LinkedHashMap<>();

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
}
