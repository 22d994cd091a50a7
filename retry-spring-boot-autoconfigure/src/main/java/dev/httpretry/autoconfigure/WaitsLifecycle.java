package dev.httpretry.autoconfigure;

import dev.httpretry.client.RetryWaits;

import org.springframework.context.SmartLifecycle;

/**
 * Ends the calls that wait to retry when the context stops: at the highest phase, so before
 * everything of a lower one, a web server's graceful shutdown among them, and shutdown never waits
 * for retries that would run on stopped connectors. A context that starts again (after
 * {@code stop()}, or a pause such as the test-context cache makes) lets calls wait and retry as
 * before; a closed context never starts again.
 */
final class WaitsLifecycle implements SmartLifecycle {

    private final RetryWaits waits;

    private volatile boolean running;

    WaitsLifecycle(RetryWaits waits) {
        this.waits = waits;
    }

    @Override
    public void start() {
        this.waits.start();
        this.running = true;
    }

    @Override
    public void stop() {
        this.running = false;
        this.waits.stop();
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
