package dev.httpretry.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PromQL as the tests need it: the metric names an expression selects, and the queries of the
 * README's {@code promql} blocks (one query per paragraph; lines starting with {@code #} are comments,
 * which PromQL allows). {@code sample-app/prometheus/check.sh} reads the same blocks the same way.
 */
final class PromQl {

    private static final Pattern PROMQL_BLOCK = Pattern.compile("```promql\n(.*?)```", Pattern.DOTALL);

    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan", "atan2");

    private PromQl() {
    }

    /**
     * The metric names an expression selects: every identifier that is not a function or an
     * aggregation (followed by {@code (}), a keyword, a label name (in a matcher or a {@code by}
     * list), a string, a duration, a number, or a Grafana variable ({@code $client}).
     * @param expression the PromQL expression
     * @return the metric names, in the order they first appear
     */
    static Set<String> metricNames(String expression) {
        String text = expression.replaceAll("(?m)#.*$", " ")
            .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'", "\"\"")
            .replaceAll("\\{[^}]*\\}", "{}")
            .replaceAll("\\[[^\\]]*\\]", "[]")
            .replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new LinkedHashSet<>();
        Matcher identifiers = IDENTIFIER.matcher(text);
        while (identifiers.find()) {
            String name = identifiers.group();
            int before = identifiers.start() - 1;
            if (before >= 0 && (text.charAt(before) == '$' || Character.isDigit(text.charAt(before)) || text.charAt(before) == '.')) {
                continue;
            }
            String rest = text.substring(identifiers.end()).stripLeading();
            if (rest.startsWith("(") || KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            names.add(name);
        }
        return names;
    }

    /**
     * The queries of a Markdown file's {@code promql} blocks: each paragraph of a block is one query.
     * @param markdown the file
     * @return the queries, comments included, in the order they appear
     * @throws IOException if the file cannot be read
     */
    static List<String> queriesOf(Path markdown) throws IOException {
        List<String> queries = new ArrayList<>();
        Matcher blocks = PROMQL_BLOCK.matcher(Files.readString(markdown));
        while (blocks.find()) {
            for (String paragraph : blocks.group(1).split("\n\\s*\n")) {
                if (!paragraph.isBlank()) {
                    queries.add(paragraph.strip());
                }
            }
        }
        return queries;
    }
}
