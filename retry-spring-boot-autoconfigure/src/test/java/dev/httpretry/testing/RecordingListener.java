package dev.httpretry.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.BackoffEvent;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.HedgeEvent;
import dev.httpretry.core.RetryListener;

/** Keeps every event it is told of. */
public final class RecordingListener implements RetryListener {

    public final List<AttemptEvent> attempts = new CopyOnWriteArrayList<>();

    public final List<BackoffEvent> backoffs = new CopyOnWriteArrayList<>();

    public final List<CallEvent> calls = new CopyOnWriteArrayList<>();

    public final List<HedgeEvent> hedges = new CopyOnWriteArrayList<>();

    @Override
    public void onHedge(HedgeEvent event) {
        this.hedges.add(event);
    }

    @Override
    public void onAttempt(AttemptEvent event) {
        this.attempts.add(event);
    }

    @Override
    public void onBackoff(BackoffEvent event) {
        this.backoffs.add(event);
    }

    @Override
    public void onCallEnd(CallEvent event) {
        this.calls.add(event);
    }

    public CallEvent onlyCall() {
        if (this.calls.size() != 1) {
            throw new AssertionError("Expected exactly one call event but got " + this.calls);
        }
        return this.calls.get(0);
    }
}
