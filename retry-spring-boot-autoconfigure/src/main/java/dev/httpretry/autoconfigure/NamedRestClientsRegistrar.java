package dev.httpretry.autoconfigure;

import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.web.client.RestClient;

/**
 * Registers a {@link RestClient} bean named {@code <name>RestClient}, qualified {@code <name>}, for
 * each {@code http.retry.clients.<name>} that has a {@code base-url}. Each is built from the
 * auto-configured {@link RestClient.Builder} when there is one (so message converters, observation
 * and the request factory apply) with that client's policy, or without retrying when
 * {@code http.retry.enabled} is false. A bean the application already defines under that name wins.
 */
class NamedRestClientsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

    /** What is appended to a client's name to name its {@code RestClient} bean; the {@code WebClient} bean has the bare name. */
    static final String BEAN_NAME_SUFFIX = "RestClient";

    private static final Log logger = LogFactory.getLog(NamedRestClientsRegistrar.class);

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
        Map<String, NamedWebClientsRegistrar.BaseUrl> clients = Binder.get(this.environment)
            .bind(HttpRetryProperties.PREFIX + ".clients", Bindable.mapOf(String.class, NamedWebClientsRegistrar.BaseUrl.class))
            .orElse(Map.of());
        clients.forEach((name, client) -> {
            String baseUrl = client.getBaseUrl();
            if (baseUrl == null || baseUrl.isBlank()) {
                return;
            }
            RetryPolicyFactory.checkBaseUrl(name, baseUrl);
            String beanName = name + BEAN_NAME_SUFFIX;
            if (registry.containsBeanDefinition(beanName)) {
                logger.info("Not registering a RestClient for http.retry.clients." + name
                        + ": the application already defines a bean named '" + beanName + "'");
                return;
            }
            // a factory bean with constructor arguments, not an instance supplier: Spring AOT can
            // write code for it
            RootBeanDefinition definition = new RootBeanDefinition(NamedRestClientFactoryBean.class);
            definition.getConstructorArgumentValues().addIndexedArgumentValue(0, name);
            definition.getConstructorArgumentValues().addIndexedArgumentValue(1, baseUrl);
            definition.setDescription("RestClient of http.retry.clients." + name);
            definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
            // injected by @Qualifier("<name>") only, so an application's own RestClient bean stays
            // the one injected by type
            definition.setDefaultCandidate(false);
            registry.registerBeanDefinition(beanName, definition);
        });
    }
}
