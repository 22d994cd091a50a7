package dev.httpretry.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import dev.httpretry.testing.TestServer;
import org.junit.jupiter.api.Test;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.GeneratedFiles.Kind;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.javapoet.ClassName;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Named clients under Spring AOT: their bean definitions can be written as code, and a client
 * made from a definition fixed at build time reads its {@code base-url} again at run time.
 */
class NamedWebClientsAotTests {

    @Test
    void namedClientsAreProcessedAheadOfTime() {
        InMemoryGeneratedFiles files = new InMemoryGeneratedFiles();
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            TestPropertyValues.of("http.retry.clients.payments.base-url=http://payments.example").applyTo(context);
            context.register(WebClientAutoConfiguration.class, HttpRetryAutoConfiguration.class, HttpRetryWebClientAutoConfiguration.class);
            // before, this failed: "instance supplier is not supported"
            DefaultGenerationContext generation = new DefaultGenerationContext(
                    new ClassNameGenerator(ClassName.get("com.example", "App")), files);
            new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
            generation.writeGeneratedContent();
        }
        Map<String, String> sources = files.getGeneratedFiles(Kind.SOURCE).entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, (entry) -> readable(entry.getValue())));
        assertThat(sources.values()).anySatisfy((source) -> assertThat(source)
            .contains("new NamedWebClientFactoryBean(")
            .contains("\"payments\"")
            .contains("\"http://payments.example\""));
    }

    @Test
    void baseUrlIsReadAgainWhenTheClientIsMade() {
        try (TestServer server = TestServer.answering(200)) {
            new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WebClientAutoConfiguration.class, HttpRetryAutoConfiguration.class, HttpRetryWebClientAutoConfiguration.class))
                .withPropertyValues("http.retry.clients.payments.base-url=" + server.url())
                .run((context) -> {
                    // as AOT leaves it: the base URL seen at build time is not the one of this run
                    NamedWebClientFactoryBean factory = new NamedWebClientFactoryBean("payments", "http://127.0.0.1:1");
                    factory.setBeanFactory(context.getBeanFactory());
                    factory.setEnvironment(context.getEnvironment());
                    WebClient client = factory.getObject();

                    assertThat(client.get().uri("/orders").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10)))
                        .isEqualTo("response 1");
                    assertThat(server.paths()).containsExactly("/orders");
                });
        }
    }

    private static String readable(org.springframework.core.io.InputStreamSource source) {
        try (java.io.InputStream in = source.getInputStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
