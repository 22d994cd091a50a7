package dev.httpretry.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock the test moves by hand; thread-safe, so concurrent tests may read it. */
final class MutableClock extends Clock {

    private final AtomicReference<Instant> now;

    private final ZoneId zone;

    MutableClock(Instant start) {
        this(new AtomicReference<>(start), ZoneOffset.UTC);
    }

    private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    static MutableClock atEpochMillis(long millis) {
        return new MutableClock(Instant.ofEpochMilli(millis));
    }

    void set(Instant instant) {
        now.set(instant);
    }

    void setMillis(long millis) {
        now.set(Instant.ofEpochMilli(millis));
    }

    void advance(Duration duration) {
        now.updateAndGet(instant -> instant.plus(duration));
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
        return new MutableClock(now, newZone);
    }

    @Override
    public Instant instant() {
        return now.get();
    }
}
