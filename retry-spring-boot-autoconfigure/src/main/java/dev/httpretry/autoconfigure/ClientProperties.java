package dev.httpretry.autoconfigure;

import org.jspecify.annotations.Nullable;

/** The settings of one named client, under {@code http.retry.clients.<name>}. */
public class ClientProperties extends PolicyProperties {

    /**
     * Whether this client retries; false sends its requests once, as without the starter (default true).
     */
    private @Nullable Boolean enabled;

    /**
     * When set, a WebClient bean named after the client (and, with spring-boot-restclient, a RestClient bean "<name>RestClient" qualified by the name) is registered with this base URL and the client's policy.
     */
    private @Nullable String baseUrl;

    public @Nullable Boolean getEnabled() {
        return this.enabled;
    }

    public void setEnabled(@Nullable Boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable String getBaseUrl() {
        return this.baseUrl;
    }

    public void setBaseUrl(@Nullable String baseUrl) {
        this.baseUrl = baseUrl;
    }
}
