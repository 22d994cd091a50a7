package dev.httpretry.autoconfigure;

import dev.httpretry.client.RetryRequests;

import org.springframework.core.Ordered;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.support.WebClientHttpServiceGroupConfigurer;

/**
 * The HTTP service group configurers of each client type, which hand every group to
 * {@link ServiceGroups}. They run after Boot's (which apply the client customizers, ours among
 * them), so a group's client retries under the group's own retry client.
 */
final class RetryServiceGroupConfigurers {

    private RetryServiceGroupConfigurers() {
    }

    /** For groups backed by RestClient. */
    record ForRestClient(ServiceGroups groups) implements RestClientHttpServiceGroupConfigurer {

        @Override
        public void configureGroups(Groups<RestClient.Builder> groups) {
            groups.forEachGroup((group, builder, factory) -> this.groups.configure(group, factory,
                    (client) -> builder.defaultRequest((request) -> request.attributes(RetryRequests.client(client)))));
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    /** For groups backed by WebClient. */
    record ForWebClient(ServiceGroups groups) implements WebClientHttpServiceGroupConfigurer {

        @Override
        public void configureGroups(Groups<WebClient.Builder> groups) {
            groups.forEachGroup((group, builder, factory) -> this.groups.configure(group, factory,
                    (client) -> builder.defaultRequest((request) -> request.attributes(RetryRequests.client(client)))));
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
