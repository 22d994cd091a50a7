package dev.httpretry.autoconfigure;

import java.util.Map;

import dev.httpretry.restclient.RetryClientHttpRequestInterceptor;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.web.client.RestClient;

/**
 * Makes the {@link RestClient} of one {@code http.retry.clients.<name>}: built from the
 * auto-configured {@link RestClient.Builder} (when there is one) with that client's policy. A
 * factory bean with plain constructor arguments, like {@link NamedWebClientFactoryBean}, so that
 * Spring AOT can write code for it; the {@code base-url} is read again when the client is made.
 */
class NamedRestClientFactoryBean implements FactoryBean<RestClient>, BeanFactoryAware, EnvironmentAware {

    private final String name;

    private final String definedBaseUrl;

    private @Nullable BeanFactory beanFactory;

    private @Nullable Environment environment;

    /**
     * Creates the factory of one named client's RestClient.
     * @param name the client's name
     * @param definedBaseUrl the base URL read when the bean was defined, used when the
     * environment no longer sets one
     */
    NamedRestClientFactoryBean(String name, String definedBaseUrl) {
        this.name = name;
        this.definedBaseUrl = definedBaseUrl;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    /** With retrying switched off ({@code http.retry.enabled=false}) the client sends each request once. */
    @Override
    public RestClient getObject() {
        BeanFactory factory = this.beanFactory;
        if (factory == null) {
            throw new IllegalStateException("No BeanFactory for the RestClient of http.retry.clients." + this.name);
        }
        RestClient.Builder builder = factory.getBeanProvider(RestClient.Builder.class).getIfAvailable(RestClient::builder);
        RetryClientHttpRequestInterceptor interceptor = factory.getBeanProvider(RetryClientHttpRequestInterceptor.class)
            .getIfAvailable();
        if (interceptor != null) {
            interceptor.forClient(this.name).applyTo(builder);
        }
        return builder.baseUrl(baseUrl()).build();
    }

    private String baseUrl() {
        if (this.environment == null) {
            return this.definedBaseUrl;
        }
        NamedWebClientsRegistrar.BaseUrl client = Binder.get(this.environment)
            .bind(HttpRetryProperties.PREFIX + ".clients", Bindable.mapOf(String.class, NamedWebClientsRegistrar.BaseUrl.class))
            .orElse(Map.of())
            .get(this.name);
        String baseUrl = (client != null) ? client.getBaseUrl() : null;
        return (baseUrl != null && !baseUrl.isBlank()) ? baseUrl : this.definedBaseUrl;
    }

    @Override
    public Class<?> getObjectType() {
        return RestClient.class;
    }
}
