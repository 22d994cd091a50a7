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

/**
 * Registers a client bean of one type for each {@code http.retry.clients.<name>} that has a
 * {@code base-url}, as a factory bean with the name and base URL as constructor arguments (Spring
 * AOT can write code for it, where it cannot for an instance supplier). A bean the application
 * already defines under that name wins; a {@code base-url} that is not an absolute http(s) URL stops
 * start-up. The subclasses say which type, under which bean name.
 */
abstract class NamedClientsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

    private static final Log logger = LogFactory.getLog(NamedClientsRegistrar.class);

    private final String type;

    private final Class<?> factoryBean;

    private @Nullable Environment environment;

    private @Nullable BeanFactory beanFactory;

    /**
     * @param type the client type's name, for messages ({@code WebClient}, {@code RestClient})
     * @param factoryBean the factory bean class, whose constructor takes the client's name and base URL
     */
    NamedClientsRegistrar(String type, Class<?> factoryBean) {
        this.type = type;
        this.factoryBean = factoryBean;
    }

    /** The bean name of a client's bean of this type. */
    abstract String beanName(String client);

    /** Anything more a client's bean definition needs (a qualifier, say). */
    void customize(RootBeanDefinition definition, String client) {
    }

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
            String beanName = beanName(name);
            if (registry.containsBeanDefinition(beanName)) {
                logger.info("Not registering a " + this.type + " for http.retry.clients." + name
                        + ": the application already defines a bean named '" + beanName + "'");
                return;
            }
            RootBeanDefinition definition = new RootBeanDefinition(this.factoryBean);
            definition.getConstructorArgumentValues().addIndexedArgumentValue(0, name);
            definition.getConstructorArgumentValues().addIndexedArgumentValue(1, baseUrl);
            definition.setDescription(this.type + " of http.retry.clients." + name);
            // injected by @Qualifier("<name>") only, so an application's own bean of this type stays
            // the one injected by type
            definition.setDefaultCandidate(false);
            // built when first injected: a test slice that binds a mock server to each client built from
            // the builder (MockRestServiceServer) then sees only the clients its test uses
            definition.setLazyInit(true);
            customize(definition, name);
            registry.registerBeanDefinition(beanName, definition);
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
