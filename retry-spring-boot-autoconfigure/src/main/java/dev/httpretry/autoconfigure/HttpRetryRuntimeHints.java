package dev.httpretry.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

/**
 * What a native image needs beyond what Spring Boot derives itself (it covers
 * {@link HttpRetryProperties}, a {@code @ConfigurationProperties} type): the named clients' base
 * URLs are bound into {@link NamedClientsRegistrar.BaseUrl} by a {@code Binder} of their own
 * when each client is made, and the WebClient filter looks up Reactor Netty's {@code Connection}
 * by name, so that Reactor Netty stays optional. Registered in {@code META-INF/spring/aot.factories}.
 */
class HttpRetryRuntimeHints implements RuntimeHintsRegistrar {

    static final String REACTOR_NETTY_CONNECTION = "reactor.netty.Connection";

    @Override
    public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
        BindableRuntimeHintsRegistrar.forTypes(NamedClientsRegistrar.BaseUrl.class).registerHints(hints, classLoader);
        hints.reflection().registerType(TypeReference.of(REACTOR_NETTY_CONNECTION));
    }
}
