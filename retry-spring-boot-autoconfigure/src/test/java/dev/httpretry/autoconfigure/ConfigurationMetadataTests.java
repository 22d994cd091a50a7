package dev.httpretry.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import dev.httpretry.core.RetrySettings;
import dev.httpretry.core.Jitter;
import dev.httpretry.core.RetryPolicy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.convert.DurationStyle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata that the build generates (and IDEs read) documents every key of the
 * contract, with defaults that agree with {@link RetryPolicy}.
 */
class ConfigurationMetadataTests {

    private static final String LOCATION = "META-INF/spring-configuration-metadata.json";

    /** Every key of the contract's property table (but {@code clients.<name>.base-url}, which is a map entry's). */
    private static final List<String> CONTRACT_KEYS = List.of("enabled", "max-attempts", "backoff.initial-delay",
            "backoff.multiplier", "backoff.max-delay", "backoff.jitter", "attempt-timeout", "deadline",
            "retry-after.enabled", "retry-after.max-wait", "statuses", "server-error-retries",
            "connection-refused-min-delay", "methods", "budget.enabled", "budget.ratio",
            "budget.min-retries-per-second", "clients",
            // added in 0.2
            "budget.max-destinations", "retry-after.rate-limit-headers", "body-replay-limit", "attempt-header",
            "hedging.enabled", "hedging.delay", "hedging.max-hedges",
            // added in 0.3
            "budget.window", "testing.skip-waits", "adaptive.enabled", "hedging.min-delay");

    private static JsonNode metadata;

    private static Map<String, JsonNode> properties;

    @BeforeAll
    static void readMetadata() throws IOException {
        List<JsonNode> ours = new ArrayList<>();
        for (URL url : Collections.list(ConfigurationMetadataTests.class.getClassLoader().getResources(LOCATION))) {
            try (InputStream in = url.openStream()) {
                JsonNode node = JsonMapper.shared().readTree(in);
                if (node.path("groups").valueStream().anyMatch((group) -> group.path("name").asString().equals("http.retry"))) {
                    ours.add(node);
                }
            }
        }
        assertThat(ours).as("metadata files that define the http.retry group").hasSize(1);
        metadata = ours.get(0);
        properties = new LinkedHashMap<>();
        metadata.path("properties").valueStream().forEach((property) -> properties.put(property.path("name").asString(), property));
    }

    static Stream<String> contractKeys() {
        return CONTRACT_KEYS.stream();
    }

    @Test
    void theKeysUnderHttpRetryAreExactlyTheContractsKeys() {
        Set<String> names = new LinkedHashSet<>();
        properties.keySet().stream().filter((name) -> name.startsWith("http.retry.")).forEach(names::add);
        assertThat(names).containsExactlyInAnyOrderElementsOf(CONTRACT_KEYS.stream().map((key) -> "http.retry." + key).toList());
    }

    @ParameterizedTest
    @MethodSource("contractKeys")
    void everyKeyHasADescription(String key) {
        JsonNode property = property(key);
        assertThat(property.path("description").asString("")).as(key).isNotBlank();
    }

    @ParameterizedTest
    @MethodSource("contractKeys")
    void everyKeyButClientsHasADefaultValue(String key) {
        JsonNode defaultValue = property(key).path("defaultValue");
        if (key.equals("clients")) {
            assertThat(defaultValue.isMissingNode()).as(key).isTrue();
        }
        else {
            assertThat(defaultValue.isMissingNode() || defaultValue.isNull()).as(key + " has a defaultValue").isFalse();
        }
    }

    @Test
    void theDefaultsAgreeWithTheCore() {
        RetryPolicy defaults = RetryPolicy.defaults();
        assertThat(defaultOf("enabled").asBoolean()).isEqualTo(new HttpRetryProperties().isEnabled()).isTrue();
        assertThat(defaultOf("max-attempts").asInt()).isEqualTo(RetrySettings.DEFAULT_MAX_ATTEMPTS);
        assertThat(duration("backoff.initial-delay")).isEqualTo(RetrySettings.DEFAULT_INITIAL_DELAY);
        assertThat(defaultOf("backoff.multiplier").isNumber()).isTrue();
        assertThat(defaultOf("backoff.multiplier").asDouble()).isEqualTo(RetrySettings.DEFAULT_MULTIPLIER);
        assertThat(duration("backoff.max-delay")).isEqualTo(RetrySettings.DEFAULT_MAX_DELAY);
        assertThat(defaultOf("backoff.jitter").asString()).isEqualTo(defaults.settings().backoff().jitter().configName());
        assertThat(duration("attempt-timeout")).isEqualTo(RetrySettings.DEFAULT_ATTEMPT_TIMEOUT);
        assertThat(duration("deadline")).isEqualTo(RetrySettings.DEFAULT_DEADLINE);
        assertThat(defaultOf("retry-after.enabled").isBoolean()).isTrue();
        assertThat(defaultOf("retry-after.enabled").asBoolean()).isEqualTo(defaults.settings().retryAfter().enabled());
        assertThat(duration("retry-after.max-wait")).isEqualTo(RetrySettings.DEFAULT_RETRY_AFTER_MAX_WAIT);
        assertThat(defaultOf("statuses").valueStream().map(JsonNode::asInt).toList())
            .containsExactlyInAnyOrderElementsOf(RetrySettings.DEFAULT_STATUSES);
        assertThat(defaultOf("server-error-retries").asInt()).isEqualTo(RetrySettings.DEFAULT_SERVER_ERROR_RETRIES);
        assertThat(duration("connection-refused-min-delay")).isEqualTo(RetrySettings.DEFAULT_CONNECTION_REFUSED_MIN_DELAY);
        assertThat(defaultOf("methods").valueStream().map(JsonNode::asString).toList())
            .containsExactlyInAnyOrderElementsOf(RetrySettings.DEFAULT_METHODS);
        assertThat(defaultOf("budget.enabled").isBoolean()).isTrue();
        assertThat(defaultOf("budget.enabled").asBoolean()).isEqualTo(defaults.settings().budget().enabled());
        assertThat(defaultOf("budget.ratio").asDouble()).isEqualTo(RetrySettings.DEFAULT_BUDGET_RATIO);
        assertThat(defaultOf("budget.min-retries-per-second").asInt())
            .isEqualTo(RetrySettings.DEFAULT_BUDGET_MIN_RETRIES_PER_SECOND);
        assertThat(defaultOf("budget.max-destinations").asInt()).isEqualTo(RetrySettings.DEFAULT_MAX_DESTINATIONS);
        assertThat(duration("budget.window")).isEqualTo(RetrySettings.DEFAULT_BUDGET_WINDOW);
        assertThat(defaultOf("retry-after.rate-limit-headers").asBoolean()).isEqualTo(defaults.settings().retryAfter().rateLimitHeaders());
        assertThat(org.springframework.util.unit.DataSize.parse(defaultOf("body-replay-limit").asString()).toBytes())
            .isEqualTo(RetrySettings.DEFAULT_BODY_REPLAY_LIMIT);
        assertThat(defaultOf("attempt-header").asString()).isEqualTo(defaults.settings().attemptHeader());
        assertThat(defaultOf("hedging.enabled").asBoolean()).isEqualTo(defaults.settings().hedging().enabled()).isFalse();
        assertThat(duration("hedging.delay")).isEqualTo(RetrySettings.DEFAULT_HEDGING_DELAY);
        assertThat(defaultOf("hedging.max-hedges").asInt()).isEqualTo(RetrySettings.DEFAULT_MAX_HEDGES);
    }

    @Test
    void jitterHasAHintForEachAlgorithm() {
        JsonNode hint = metadata.path("hints").valueStream()
            .filter((node) -> node.path("name").asString().equals("http.retry.backoff.jitter"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("No hint for http.retry.backoff.jitter"));
        List<String> values = hint.path("values").valueStream().map((value) -> value.path("value").asString()).toList();
        assertThat(values).containsExactly("none", "full", "equal", "decorrelated");
        assertThat(values).containsExactlyInAnyOrderElementsOf(Stream.of(Jitter.values()).map(Jitter::configName).toList());
        hint.path("values").valueStream()
            .forEach((value) -> assertThat(value.path("description").asString("")).as(value.toString()).isNotBlank());
    }

    private static JsonNode property(String key) {
        JsonNode property = properties.get("http.retry." + key);
        assertThat(property).as("metadata of http.retry." + key).isNotNull();
        return property;
    }

    private static JsonNode defaultOf(String key) {
        return property(key).path("defaultValue");
    }

    private static Duration duration(String key) {
        return DurationStyle.detectAndParse(defaultOf(key).asString());
    }
}
