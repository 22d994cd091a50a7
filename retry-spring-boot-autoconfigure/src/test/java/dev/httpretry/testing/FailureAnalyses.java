package dev.httpretry.testing;

import java.util.List;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Start-up failures analyzed as Spring Boot analyzes them, for tests of the failure analyzers.
 */
public final class FailureAnalyses {

    private FailureAnalyses() {
    }

    /**
     * Analyzes a failure as Spring Boot does at start-up: every {@link FailureAnalyzer} registered in
     * {@code META-INF/spring.factories} (Boot's own among them), in their order, given the environment
     * and a bean factory; the first answer wins. Checks that {@code expected} is among the registered
     * analyzers.
     * @param failure the start-up failure
     * @param expected the analyzer that must be registered
     * @param properties the environment's properties, each {@code key=value}
     * @return the first analysis
     */
    public static FailureAnalysis analyzeAsBootDoes(Throwable failure, Class<? extends FailureAnalyzer> expected,
            String... properties) {
        MockEnvironment environment = new MockEnvironment();
        for (String property : properties) {
            String[] pair = property.split("=", 2);
            environment.setProperty(pair[0], pair[1]);
        }
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader
            .forDefaultResourceLocation(FailureAnalyses.class.getClassLoader())
            .load(FailureAnalyzer.class,
                    ArgumentResolver.of(Environment.class, (Environment) environment)
                        .and(BeanFactory.class, new DefaultListableBeanFactory()),
                    FailureHandler.handleMessage((message, ex) -> {
                    }));
        assertThat(analyzers).anyMatch(expected::isInstance);
        for (FailureAnalyzer analyzer : analyzers) {
            FailureAnalysis analysis = analyzer.analyze(failure);
            if (analysis != null) {
                return analysis;
            }
        }
        throw new AssertionError("No failure analyzer explains " + failure, failure);
    }
}
