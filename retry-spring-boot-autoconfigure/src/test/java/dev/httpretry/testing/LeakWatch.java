package dev.httpretry.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.util.ResourceLeakDetector;
import org.slf4j.LoggerFactory;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A small connection pool, with Netty's leak detector at paranoid while it is open: a single leaked
 * response keeps a connection taken (which a pool of one or two shows at once), and a buffer never
 * released is reported as {@code LEAK:} once it is collected and a later one is tracked.
 */
public final class LeakWatch implements AutoCloseable {

    private static final String LEAK_LOGGER = "io.netty.util.ResourceLeakDetector";

    public final ConnectionProvider pool;

    private final AtomicReference<ConnectionPoolMetrics> metrics = new AtomicReference<>();

    private final ListAppender<ILoggingEvent> leaks = new ListAppender<>();

    private final ResourceLeakDetector.Level previousLevel = ResourceLeakDetector.getLevel();

    public LeakWatch(String name, int maxConnections) {
        this(name, maxConnections, 2 * maxConnections);
    }

    /** A pool that lets {@code pendingAcquireMaxCount} requests wait for a connection ({@code -1}: any number). */
    public LeakWatch(String name, int maxConnections, int pendingAcquireMaxCount) {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        this.leaks.start();
        ((Logger) LoggerFactory.getLogger(LEAK_LOGGER)).addAppender(this.leaks);
        this.pool = ConnectionProvider.builder(name).maxConnections(maxConnections)
            .pendingAcquireMaxCount(pendingAcquireMaxCount)
            .pendingAcquireTimeout(Duration.ofSeconds(5))
            .metrics(true, () -> (poolName, id, remoteAddress, metrics) -> this.metrics.set(metrics))
            .build();
    }

    /** Waits until every connection is back in the pool (a connection goes back just after its call, on the event loop). */
    public void awaitAllReleased() {
        await().atMost(Duration.ofSeconds(10))
            .until(() -> this.metrics.get() != null && this.metrics.get().acquiredSize() == 0);
    }

    /** How many requests wait for a connection now. */
    public int pendingAcquires() {
        ConnectionPoolMetrics current = this.metrics.get();
        return (current != null) ? current.pendingAcquireSize() : 0;
    }

    /**
     * Collects garbage, runs {@code laterCall} (so the detector tracks a later buffer and reports
     * the collected leaks), and checks that nothing was reported.
     */
    public void assertNoLeaks(Runnable laterCall) {
        System.gc();
        laterCall.run();
        List<String> reports = this.leaks.list.stream().map(ILoggingEvent::getFormattedMessage)
            .filter((message) -> message.contains("LEAK:")).toList();
        assertThat(reports).isEmpty();
    }

    @Override
    public void close() {
        ((Logger) LoggerFactory.getLogger(LEAK_LOGGER)).detachAppender(this.leaks);
        ResourceLeakDetector.setLevel(this.previousLevel);
        this.pool.disposeLater().block(Duration.ofSeconds(5));
    }
}
