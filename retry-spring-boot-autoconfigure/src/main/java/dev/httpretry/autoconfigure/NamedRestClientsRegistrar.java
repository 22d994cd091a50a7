package dev.httpretry.autoconfigure;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.web.client.RestClient;

/**
 * Registers a {@link RestClient} bean named {@code <name>RestClient}, qualified {@code <name>}, for
 * each {@code http.retry.clients.<name>} that has a {@code base-url} ({@link NamedRestClientFactoryBean}):
 * built from the auto-configured {@link RestClient.Builder} when there is one (so message converters,
 * observation and the request factory apply) with that client's policy, or without retrying when
 * {@code http.retry.enabled} is false.
 */
class NamedRestClientsRegistrar extends NamedClientsRegistrar {

    /** What is appended to a client's name to name its {@code RestClient} bean; the {@code WebClient} bean has the bare name. */
    static final String BEAN_NAME_SUFFIX = "RestClient";

    NamedRestClientsRegistrar() {
        super("RestClient", NamedRestClientFactoryBean.class);
    }

    @Override
    String beanName(String client) {
        return client + BEAN_NAME_SUFFIX;
    }

    @Override
    void customize(RootBeanDefinition definition, String client) {
        definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, client));
    }
}
