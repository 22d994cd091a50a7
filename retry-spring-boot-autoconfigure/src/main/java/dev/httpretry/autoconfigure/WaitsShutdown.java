package dev.httpretry.autoconfigure;

import org.springframework.context.SmartLifecycle;

/**
 * Ends the calls that wait to retry as soon as the context starts closing: stopped before
 * everything of a lower phase, a web server's graceful shutdown among them, so that shutdown does
 * not wait for retries that would run on closed connectors.
 */
final class WaitsShutdown implements SmartLifecycle {

    private final Runnable shutdown;

    private volatile boolean running;

    /**
     * @param shutdown ends the pending waits of one client type ({@code filter::shutdown}, {@code interceptor::shutdown})
     */
    WaitsShutdown(Runnable shutdown) {
        this.shutdown = shutdown;
    }

    @Override
    public void start() {
        this.running = true;
    }

    @Override
    public void stop() {
        this.running = false;
        this.shutdown.run();
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
