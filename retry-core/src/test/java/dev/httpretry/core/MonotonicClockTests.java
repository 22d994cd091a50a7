package dev.httpretry.core;

import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MonotonicClockTests {

    @Test
    void readsNanoTimeInBothUnits() {
        long before = System.nanoTime();
        Instant instant = MonotonicClock.INSTANCE.instant();
        long millis = MonotonicClock.INSTANCE.millis();
        long after = System.nanoTime();

        long instantNanos = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
        assertThat(instantNanos).isBetween(before, after);
        assertThat(millis).isBetween(Math.floorDiv(before, 1_000_000L), Math.floorDiv(after, 1_000_000L));
    }

    @Test
    void neverGoesBack() {
        Instant previous = MonotonicClock.INSTANCE.instant();
        for (int i = 0; i < 10_000; i++) {
            Instant next = MonotonicClock.INSTANCE.instant();
            assertThat(next).isAfterOrEqualTo(previous);
            previous = next;
        }
    }

    @Test
    void hasNoZoneToChange() {
        assertThat(MonotonicClock.INSTANCE.getZone()).isEqualTo(ZoneOffset.UTC);
        assertThatThrownBy(() -> MonotonicClock.INSTANCE.withZone(ZoneOffset.ofHours(1)))
            .isInstanceOf(UnsupportedOperationException.class);
    }
}
