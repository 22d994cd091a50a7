package dev.httpretry.autoconfigure;

import java.util.Map;

import dev.httpretry.webclient.RetryExchangeFilterFunction;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Makes the {@link WebClient} of one {@code http.retry.clients.<name>}: built from the
 * auto-configured {@link WebClient.Builder} with that client's policy. A factory bean with plain
 * constructor arguments, rather than an instance supplier, so that Spring AOT can write code for
 * it. Under AOT the bean definitions, so which clients exist, are fixed when the application is
 * built; the {@code base-url} is read again when the client is made, so a deployment may change it.
 */
class NamedWebClientFactoryBean implements FactoryBean<WebClient>, BeanFactoryAware, EnvironmentAware {

    private final String name;

    private final String definedBaseUrl;

    private @Nullable BeanFactory beanFactory;

    private @Nullable Environment environment;

    /**
     * Creates the factory of one named client.
     * @param name the client's name, also the bean's name
     * @param definedBaseUrl the base URL read when the bean was defined, used when the
     * environment no longer sets one
     */
    NamedWebClientFactoryBean(String name, String definedBaseUrl) {
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

    @Override
    public WebClient getObject() {
        BeanFactory factory = this.beanFactory;
        if (factory == null) {
            throw new IllegalStateException("No BeanFactory for the WebClient of http.retry.clients." + this.name);
        }
        WebClient.Builder builder = factory.getBeanProvider(WebClient.Builder.class).getIfAvailable(WebClient::builder);
        // without the filter (an application that removed it) the client sends each request once
        RetryExchangeFilterFunction filter = factory.getBeanProvider(RetryExchangeFilterFunction.class).getIfAvailable();
        if (filter != null) {
            filter.forClient(this.name).applyTo(builder);
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
        return WebClient.class;
    }
}
