package dev.httpretry.core;

import java.util.ArrayList;
import java.util.List;

/** Keeps every event it is told of, in order (single-threaded tests). */
final class RecordingListener implements RetryListener {

    final List<AttemptEvent> attempts = new ArrayList<>();

    final List<BackoffEvent> backoffs = new ArrayList<>();

    final List<HedgeEvent> hedges = new ArrayList<>();

    final List<CallEvent> calls = new ArrayList<>();

    final List<ThrottleEvent> throttles = new ArrayList<>();

    @Override
    public void onThrottle(ThrottleEvent event) {
        this.throttles.add(event);
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
    public void onHedge(HedgeEvent event) {
        this.hedges.add(event);
    }

    @Override
    public void onCallEnd(CallEvent event) {
        this.calls.add(event);
    }
}
