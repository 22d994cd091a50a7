package dev.httpretry.autoconfigure;

import dev.httpretry.webclient.RetryExchangeFilterFunction;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Makes the {@link WebClient} of one {@code http.retry.clients.<name>}: built from the
 * auto-configured {@link WebClient.Builder} with that client's policy.
 */
class NamedWebClientFactoryBean extends NamedClientFactoryBean<WebClient> {

    /**
     * Creates the factory of one named client.
     * @param name the client's name, also the bean's name
     * @param definedBaseUrl the base URL read when the bean was defined
     */
    NamedWebClientFactoryBean(String name, String definedBaseUrl) {
        super(name, definedBaseUrl);
    }

    @Override
    WebClient create(BeanFactory factory, String baseUrl) {
        WebClient.Builder builder = factory.getBeanProvider(WebClient.Builder.class).getIfAvailable(WebClient::builder);
        // without the filter (retrying switched off, or an application that removed it) the client sends each request once
        RetryExchangeFilterFunction filter = factory.getBeanProvider(RetryExchangeFilterFunction.class).getIfAvailable();
        if (filter != null) {
            filter.forClient(this.name).applyTo(builder);
        }
        return builder.baseUrl(baseUrl).build();
    }

    @Override
    public Class<WebClient> getObjectType() {
        return WebClient.class;
    }
}
