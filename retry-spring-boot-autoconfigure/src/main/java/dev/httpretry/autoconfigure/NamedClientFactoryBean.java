package dev.httpretry.autoconfigure;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Makes the client of one {@code http.retry.clients.<name>}, of one type. A factory bean with plain
 * constructor arguments, rather than an instance supplier, so that Spring AOT can write code for it.
 * Under AOT the bean definitions, so which clients exist, are fixed when the application is built;
 * the {@code base-url} is read again when the client is made, so a deployment may change it.
 *
 * @param <T> the client type
 */
abstract class NamedClientFactoryBean<T> implements FactoryBean<T>, BeanFactoryAware, EnvironmentAware {

    /** The client's name. */
    final String name;

    private final String definedBaseUrl;

    private @Nullable BeanFactory beanFactory;

    private @Nullable Environment environment;

    /**
     * @param name the client's name
     * @param definedBaseUrl the base URL read when the bean was defined, used when the environment no longer sets one
     */
    NamedClientFactoryBean(String name, String definedBaseUrl) {
        this.name = name;
        this.definedBaseUrl = definedBaseUrl;
    }

    /** Builds the client from the application's builder, with the client's retrying when retrying is on. */
    abstract T create(BeanFactory factory, String baseUrl);

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public T getObject() {
        BeanFactory factory = this.beanFactory;
        if (factory == null) {
            throw new IllegalStateException("No BeanFactory for the " + getObjectType().getSimpleName()
                    + " of http.retry.clients." + this.name);
        }
        return create(factory, baseUrl());
    }

    private String baseUrl() {
        if (this.environment == null) {
            return this.definedBaseUrl;
        }
        NamedClientsRegistrar.BaseUrl client = Binder.get(this.environment)
            .bind(HttpRetryProperties.PREFIX + ".clients", Bindable.mapOf(String.class, NamedClientsRegistrar.BaseUrl.class))
            .orElse(Map.of())
            .get(this.name);
        String baseUrl = (client != null) ? client.getBaseUrl() : null;
        return (baseUrl != null && !baseUrl.isBlank()) ? baseUrl : this.definedBaseUrl;
    }

    @Override
    public abstract Class<T> getObjectType();
}
