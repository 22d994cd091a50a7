package dev.httpretry.autoconfigure;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * Registers a {@link WebClient} bean named {@code <name>} for each {@code http.retry.clients.<name>}
 * that has a {@code base-url} ({@link NamedWebClientFactoryBean}): built from the auto-configured
 * {@link WebClient.Builder} (so codecs, observation and connector settings apply) with that client's
 * policy, or without retrying when {@code http.retry.enabled} is false.
 */
class NamedWebClientsRegistrar extends NamedClientsRegistrar {

    NamedWebClientsRegistrar() {
        super("WebClient", NamedWebClientFactoryBean.class);
    }

    @Override
    String beanName(String client) {
        return client;
    }
}
