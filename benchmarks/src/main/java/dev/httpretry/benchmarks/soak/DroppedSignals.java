package dev.httpretry.benchmarks.soak;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.httpretry.core.ExceptionClassifier;
import reactor.core.publisher.Hooks;

/**
 * Counts the errors and values Reactor drops while the soak runs, by side (the client's call chain,
 * the chaos server, Reactor Netty's connector), and keeps the first few notable signals with where
 * they happened: a dropped response is one the client never released, so these are the leak checks'
 * first witnesses. Installs global Reactor hooks: one soak at a time.
 */
final class DroppedSignals {

    /** The soak's own classes: their frames (the hooks above all) say nothing about where a signal was dropped. */
    private static final List<String> SOAK_FRAMES = Stream.of(ChaosSoak.class, DroppedSignals.class, SoakCalls.class,
            AttemptFilter.class, SoakClient.class, SoakLogs.class, CallTally.class)
        .map(Class::getSimpleName)
        .toList();

    private static final int SAMPLES = 10;

    private final LongAdder droppedErrors = new LongAdder();

    private final LongAdder serverDroppedErrors = new LongAdder();

    private final LongAdder droppedValues = new LongAdder();

    private final LongAdder connectorDroppedConnections = new LongAdder();

    private final Map<String, LongAdder> droppedValueTypes = new ConcurrentHashMap<>();

    private final List<String> droppedSamples = Collections.synchronizedList(new ArrayList<>());

    /** Sets Reactor's hooks for dropped errors and values; {@link #uninstall()} resets them. */
    void install() {
        Hooks.onErrorDropped((error) -> {
            boolean client = isClientSide(error);
            (client ? this.droppedErrors : this.serverDroppedErrors).increment();
            sample((client ? "client" : "server") + " error dropped: " + error + ", dropped at " + dropSite());
        });
        Hooks.onNextDropped((value) -> {
            String side;
            if (value instanceof reactor.netty.Connection) {
                // Reactor Netty's own connect sink, signalled once more after it had already ended the
                // exchange: the connection never reached WebClient or the filter, and the pool takes it
                // back itself (the acquired-connections and LEAK checks show it did)
                side = "connector ";
                this.connectorDroppedConnections.increment();
                sample("connection dropped by the connector: " + value.getClass().getName() + ", dropped at " + dropSite());
            }
            else if (isClientType(value.getClass().getName()) || droppedInClient()) {
                side = "client ";
                this.droppedValues.increment();
                sample("client value dropped: " + value.getClass().getName() + ", dropped at " + dropSite());
            }
            else {
                side = "server ";
            }
            this.droppedValueTypes.computeIfAbsent(side + value.getClass().getSimpleName(), (k) -> new LongAdder()).increment();
        });
    }

    /** Resets the hooks {@link #install()} set. */
    void uninstall() {
        Hooks.resetOnErrorDropped();
        Hooks.resetOnNextDropped();
    }

    /**
     * Keeps a notable signal for the summary, up to the first few.
     * @param text what happened, and where
     */
    void sample(String text) {
        if (this.droppedSamples.size() < SAMPLES) {
            this.droppedSamples.add(text);
        }
    }

    long droppedErrors() {
        return this.droppedErrors.sum();
    }

    long serverDroppedErrors() {
        return this.serverDroppedErrors.sum();
    }

    long droppedValues() {
        return this.droppedValues.sum();
    }

    long connectorDroppedConnections() {
        return this.connectorDroppedConnections.sum();
    }

    Map<String, Long> droppedValueTypes() {
        Map<String, Long> copy = new TreeMap<>();
        this.droppedValueTypes.forEach((key, count) -> copy.put(key, count.sum()));
        return copy;
    }

    List<String> samples() {
        return List.copyOf(this.droppedSamples);
    }

    /**
     * Whether a dropped error belongs to the client's call chain (a WebClient exception, one of the
     * filter's own, or dropped by an operator of the client or the filter) rather than to the chaos
     * server, whose handlers may still fail after the client hung up.
     */
    private static boolean isClientSide(Throwable error) {
        for (Throwable link : ExceptionClassifier.causeChain(error)) {
            if (isClientType(link.getClass().getName())) {
                return true;
            }
        }
        return droppedInClient();
    }

    private static boolean isClientType(String type) {
        return type.startsWith("dev.httpretry.") || type.startsWith("org.springframework.web.reactive.function.client.")
                || type.startsWith("org.springframework.http.client.") || type.startsWith("reactor.netty.http.client.");
    }

    private static boolean droppedInClient() {
        return StackWalker.getInstance().walk((frames) -> frames.anyMatch((frame) -> isClientType(frame.getClassName())));
    }

    /** The operator that dropped a signal: the first frames of this thread's stack below Reactor's hook machinery. */
    private static String dropSite() {
        return StackWalker.getInstance().walk((frames) -> frames
            .map((frame) -> frame.getClassName().replaceAll("^.*\\.", "") + "." + frame.getMethodName() + ":" + frame.getLineNumber())
            .filter((frame) -> SOAK_FRAMES.stream().noneMatch(frame::startsWith) && !frame.startsWith("Operators.")
                    && !frame.startsWith("Hooks"))
            .limit(24)
            .collect(Collectors.joining(" < ")));
    }
}
