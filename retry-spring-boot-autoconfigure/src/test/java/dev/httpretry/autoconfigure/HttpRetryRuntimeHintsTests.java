package dev.httpretry.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;

import static org.assertj.core.api.Assertions.assertThat;

/** The hints a native image needs, and that Spring AOT finds them. */
class HttpRetryRuntimeHintsTests {

    private final RuntimeHints hints = new RuntimeHints();

    HttpRetryRuntimeHintsTests() {
        new HttpRetryRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
    }

    @Test
    void namedClientsBaseUrlCanBeBound() throws NoSuchMethodException {
        assertThat(RuntimeHintsPredicates.reflection().onType(NamedClientsRegistrar.BaseUrl.class)).accepts(this.hints);
        assertThat(RuntimeHintsPredicates.reflection()
            .onMethodInvocation(NamedClientsRegistrar.BaseUrl.class.getMethod("setBaseUrl", String.class)))
            .accepts(this.hints);
        assertThat(RuntimeHintsPredicates.reflection()
            .onMethodInvocation(NamedClientsRegistrar.BaseUrl.class.getMethod("getBaseUrl")))
            .accepts(this.hints);
    }

    @Test
    void reactorNettyConnectionCanBeLoadedByName() throws ClassNotFoundException {
        assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(HttpRetryRuntimeHints.REACTOR_NETTY_CONNECTION)))
            .accepts(this.hints);
        // the name is still right
        assertThat(Class.forName(HttpRetryRuntimeHints.REACTOR_NETTY_CONNECTION)).isInterface();
    }

    @Test
    void registeredForSpringAot() {
        assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
            .hasAtLeastOneElementOfType(HttpRetryRuntimeHints.class);
    }
}
