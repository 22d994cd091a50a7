package dev.httpretry.benchmarks;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that reads {@link System#nanoTime()}: it never jumps, and a benchmark can read the very
 * time its budget sees. Its epoch is arbitrary, so it only measures intervals (which is all a
 * retry budget's window needs).
 */
final class MonotonicClock extends Clock {

    static final MonotonicClock INSTANCE = new MonotonicClock();

    private MonotonicClock() {
    }

    @Override
    public long millis() {
        return System.nanoTime() / 1_000_000;
    }

    @Override
    public Instant instant() {
        long nanos = System.nanoTime();
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("A monotonic clock has no zone");
    }
}
