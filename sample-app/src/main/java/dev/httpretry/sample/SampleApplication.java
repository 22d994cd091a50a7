package dev.httpretry.sample;

import java.time.Clock;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The http-retry sample: an app that serves a misbehaving upstream, calls it without and with
 * retries at start-up and on {@code GET /demo}, and exposes the retry state through actuator
 * ({@code /actuator/retry}, {@code /actuator/metrics}, {@code /actuator/prometheus}). By default a
 * WebFlux app ({@link WebFluxDemoConfiguration}); with the profile {@code mvc} a Spring MVC app on
 * Tomcat that calls through HTTP service groups ({@link MvcDemoConfiguration}).
 */
@SpringBootApplication(proxyBeanMethods = false)
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

    /**
     * Starts the app.
     * @param args command-line arguments, such as {@code --server.port=9090} or {@code --spring.profiles.active=mvc}
     */
    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }

    /** Decides which upstream requests fail; seeded, so a run can be repeated. */
    @Bean
    RandomGenerator upstreamRandom(SampleProperties properties) {
        return new SplittableRandom(properties.upstream().seed());
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    FlakyUpstream flakyUpstream(RandomGenerator upstreamRandom, Clock clock) {
        return new FlakyUpstream(upstreamRandom, clock);
    }

    /** A {@code RetryListener} bean: the starter tells it of every call's end. */
    @Bean
    StopReasons stopReasons() {
        return new StopReasons();
    }

    /** This app's server, whose port the demo learns once it runs. */
    @Bean
    LocalServer localServer(Environment environment) {
        return new LocalServer(environment);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "sample.demo.on-startup", matchIfMissing = true)
    DemoRunner demoRunner(Demo demo, SampleProperties properties) {
        return new DemoRunner(demo, properties.demo().toRequest());
    }
}
