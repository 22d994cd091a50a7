package dev.httpretry.sample;

import java.util.List;


import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.service.registry.HttpServiceGroup;
import org.springframework.web.service.registry.HttpServiceProxyRegistry;
import org.springframework.web.service.registry.ImportHttpServices;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The {@code mvc} profile: a Spring MVC app on Tomcat whose demo calls the {@link FlakyUpstream}
 * (on a server of its own, {@link UpstreamServer}) through the {@link UpstreamApi} of two HTTP service
 * groups backed by RestClient, each with its base URL from
 * {@code spring.http.serviceclient.<group>.base-url}. The rows: {@value Demo#PLAIN} through group
 * {@value #PLAIN_GROUP}, whose requests are sent once (its client is off:
 * {@code http.retry.clients.upstream-api-plain.enabled: false}), and {@value #RETRYING} through group
 * {@value #RETRYING_GROUP}, whose requests retry under a client of the group's name with the top-level
 * policy. The two groups are alike but for that.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ImportHttpServices(group = MvcDemoConfiguration.RETRYING_GROUP, types = UpstreamApi.class,
        clientType = HttpServiceGroup.ClientType.REST_CLIENT)
@ImportHttpServices(group = MvcDemoConfiguration.PLAIN_GROUP, types = UpstreamApi.class,
        clientType = HttpServiceGroup.ClientType.REST_CLIENT)
public class MvcDemoConfiguration {

    /** The group whose calls retry, and the name of their retry client. */
    public static final String RETRYING_GROUP = "upstream-api";

    /** The group whose calls are sent once. */
    public static final String PLAIN_GROUP = "upstream-api-plain";

    /** The label of the row through the retrying group. */
    public static final String RETRYING = "retrying service group (upstream-api)";

    /** The upstream on a server of its own, on {@code sample.upstream.port}. */
    @Bean
    UpstreamServer upstreamServer(FlakyUpstream flakyUpstream, SampleProperties properties) {
        return new UpstreamServer(flakyUpstream, properties.upstream().port());
    }

    /** The demo's rows, each through the {@link UpstreamApi} proxy of its group. */
    @Bean
    Demo demo(HttpServiceProxyRegistry registry, LocalServer server, FlakyUpstream flakyUpstream, StopReasons stopReasons,
            SampleProperties properties) {
        UpstreamApi plain = registry.getClient(PLAIN_GROUP, UpstreamApi.class);
        UpstreamApi retrying = registry.getClient(RETRYING_GROUP, UpstreamApi.class);
        List<DemoRow> rows = List.of(DemoRow.plain(Demo.PLAIN, UpstreamCall.blocking(plain::resource)),
                DemoRow.retrying(RETRYING, RETRYING_GROUP, UpstreamCall.blocking(retrying::resource)));
        return new Demo(rows, flakyUpstream, stopReasons, server, properties.demo().progressEvery());
    }

    /** {@code GET /demo}. */
    @Bean
    RouterFunction<ServerResponse> demoRoutes(Demo demo, SampleProperties properties) {
        return new MvcDemoRoutes(demo, properties.demo().toRequest()).routes();
    }
}
