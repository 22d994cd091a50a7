package dev.httpretry.autoconfigure;

import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Registers a {@link WebClient} bean named {@code <name>} for each {@code http.retry.clients.<name>}
 * that has a {@code base-url}. Each is built from the auto-configured {@link WebClient.Builder}
 * (so codecs, observation and connector settings apply) with that client's policy, or without
 * retrying when {@code http.retry.enabled} is false. A bean the application already defines under
 * that name wins. A {@code base-url} that is not an absolute http(s) URL stops start-up.
 */
class NamedWebClientsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

    private static final Log logger = LogFactory.getLog(NamedWebClientsRegistrar.class);

    private @Nullable Environment environment;

    private @Nullable BeanFactory beanFactory;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        if (this.environment == null || this.beanFactory == null) {
            return;
        }
        Map<String, BaseUrl> clients = Binder.get(this.environment)
            .bind(HttpRetryProperties.PREFIX + ".clients", Bindable.mapOf(String.class, BaseUrl.class))
            .orElse(Map.of());
        clients.forEach((name, client) -> {
            String baseUrl = client.getBaseUrl();
            if (baseUrl == null || baseUrl.isBlank()) {
                return;
            }
            RetryPolicyFactory.checkBaseUrl(name, baseUrl);
            if (registry.containsBeanDefinition(name)) {
                logger.info("Not registering a WebClient for http.retry.clients." + name
                        + ": the application already defines a bean named '" + name + "'");
                return;
            }
            // a factory bean with constructor arguments, not an instance supplier: Spring AOT can
            // write code for it
            RootBeanDefinition definition = new RootBeanDefinition(NamedWebClientFactoryBean.class);
            definition.getConstructorArgumentValues().addIndexedArgumentValue(0, name);
            definition.getConstructorArgumentValues().addIndexedArgumentValue(1, baseUrl);
            definition.setDescription("WebClient of http.retry.clients." + name);
            // injected by @Qualifier("<name>") only, so an application's own WebClient bean stays
            // the one injected by type
            definition.setDefaultCandidate(false);
            registry.registerBeanDefinition(name, definition);
        });
    }

    /** Only the base URL of a client, read before the properties are bound, to decide which beans to register. */
    static class BaseUrl {

        private @Nullable String baseUrl;

        public @Nullable String getBaseUrl() {
            return this.baseUrl;
        }

        public void setBaseUrl(@Nullable String baseUrl) {
            this.baseUrl = baseUrl;
        }
    }
}
