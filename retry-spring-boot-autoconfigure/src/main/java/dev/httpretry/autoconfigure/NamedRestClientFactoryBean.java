package dev.httpretry.autoconfigure;

import dev.httpretry.restclient.RetryClientHttpRequestInterceptor;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.web.client.RestClient;

/**
 * Makes the {@link RestClient} of one {@code http.retry.clients.<name>}: built from the
 * auto-configured {@link RestClient.Builder} (or a new one) with that client's policy.
 */
class NamedRestClientFactoryBean extends NamedClientFactoryBean<RestClient> {

    /**
     * Creates the factory of one named client's RestClient.
     * @param name the client's name
     * @param definedBaseUrl the base URL read when the bean was defined
     */
    NamedRestClientFactoryBean(String name, String definedBaseUrl) {
        super(name, definedBaseUrl);
    }

    /** With retrying switched off ({@code http.retry.enabled=false}) the client sends each request once. */
    @Override
    RestClient create(BeanFactory factory, String baseUrl) {
        RestClient.Builder builder = factory.getBeanProvider(RestClient.Builder.class).getIfAvailable(RestClient::builder);
        RetryClientHttpRequestInterceptor interceptor = factory.getBeanProvider(RetryClientHttpRequestInterceptor.class)
            .getIfAvailable();
        if (interceptor != null) {
            interceptor.forClient(this.name).applyTo(builder);
        }
        return builder.baseUrl(baseUrl).build();
    }

    @Override
    public Class<RestClient> getObjectType() {
        return RestClient.class;
    }
}
