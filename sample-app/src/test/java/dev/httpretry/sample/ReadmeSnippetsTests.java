package dev.httpretry.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Java snippet of the README is a source file of these tests, character for character, so it
 * compiles as pasted (package and imports included) and, when it is a test, runs with the others.
 */
class ReadmeSnippetsTests {

    private static final Path README = Path.of("..", "README.md");

    private static final Path SNIPPETS = Path.of("src", "test", "java", "com", "example", "orders");

    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);

    private static final Pattern TYPE = Pattern.compile("^(?:@\\w+(?:\\([^)]*\\))?\\s*\n)*(?:public\\s+)?(?:final\\s+)?(?:class|record|interface)\\s+(\\w+)",
            Pattern.MULTILINE);

    @Test
    void everyJavaSnippetIsATestSourceFileAsPasted() throws IOException {
        List<String> snippets = javaSnippets();
        assertThat(snippets).as("Java snippets in the README").hasSizeGreaterThanOrEqualTo(7);
        for (String snippet : snippets) {
            assertThat(snippet).as("a snippet that compiles as pasted starts with its package").startsWith("package com.example.orders;");
            Matcher type = TYPE.matcher(snippet);
            assertThat(type.find()).as("a top-level type in:%n%s", snippet).isTrue();
            Path file = SNIPPETS.resolve(type.group(1) + ".java");
            assertThat(file).as("the snippet declaring " + type.group(1)).exists();
            assertThat(Files.readString(file)).as(file.toString()).isEqualTo(snippet);
        }
    }

    private static List<String> javaSnippets() throws IOException {
        Matcher blocks = JAVA_BLOCK.matcher(Files.readString(README));
        List<String> snippets = new ArrayList<>();
        while (blocks.find()) {
            snippets.add(blocks.group(1));
        }
        return snippets;
    }
}
