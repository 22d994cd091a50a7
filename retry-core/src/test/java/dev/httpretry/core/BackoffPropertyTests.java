package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

/**
 * Bounds of every jitter over thousands of generated cases: small, ordinary and huge delays, retry
 * numbers up to {@link Integer#MAX_VALUE}, multipliers from 1 to 1e300, random values including the
 * edges 0 and the largest double below 1.
 */
class BackoffPropertyTests {

    private static final int CASES = 20_000;

    private record Case(Duration initial, Duration max, double multiplier, int retry, Duration previous, double random) {
    }

    private static long nanos(SplittableRandom random) {
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> random.nextLong(1, 1_000_000); // below a millisecond
            case 2 -> random.nextLong(1_000_000, 60_000_000_000L); // up to a minute
            case 3 -> random.nextLong(1, Long.MAX_VALUE);
            case 4 -> Long.MAX_VALUE - random.nextLong(0, 2_000);
            default -> random.nextLong(1, 1_000_000_000_000_000L);
        };
    }

    private static Duration duration(SplittableRandom random) {
        return random.nextInt(20) == 0 ? Duration.ofDays(random.nextLong(1, 100_000_000)) : Duration.ofNanos(nanos(random));
    }

    private static Case generate(SplittableRandom random) {
        Duration a = duration(random);
        Duration b = duration(random);
        Duration initial = a.compareTo(b) <= 0 ? a : b;
        Duration max = a.compareTo(b) <= 0 ? b : a;
        double multiplier = switch (random.nextInt(5)) {
            case 0 -> 1.0;
            case 1 -> 2.0;
            case 2 -> 1.0 + random.nextDouble() * 9;
            case 3 -> 1.0 + random.nextDouble() * 1e-6;
            default -> Math.pow(10, random.nextDouble() * 300);
        };
        int retry = switch (random.nextInt(4)) {
            case 0 -> random.nextInt(1, 10);
            case 1 -> random.nextInt(1, 200);
            case 2 -> random.nextInt(1, Integer.MAX_VALUE);
            default -> Integer.MAX_VALUE;
        };
        Duration previous = random.nextInt(5) == 0 ? initial : duration(random);
        double value = switch (random.nextInt(6)) {
            case 0 -> 0.0;
            case 1 -> Math.nextDown(1.0);
            default -> random.nextDouble();
        };
        return new Case(initial, max, multiplier, retry, previous, value);
    }

    private static long saturatedNanos(Duration duration) {
        return Durations.toNanos(duration);
    }

    @Test
    void everyJitterStaysWithinItsBounds() {
        long runSeed = Seeds.runSeed();
        SplittableRandom seeds = new SplittableRandom(runSeed);
        for (int i = 0; i < CASES; i++) {
            long caseSeed = seeds.nextLong();
            Case c = generate(new SplittableRandom(caseSeed));
            int index = i;
            Supplier<String> replay = () -> Seeds.describe(runSeed, index, caseSeed) + ": " + c;
            long max = saturatedNanos(c.max());
            long initial = saturatedNanos(c.initial());
            long capped = new Backoff(c.initial(), c.multiplier(), c.max(), Jitter.NONE).cappedDelay(c.retry()).toNanos();
            assertThat(capped).as(replay).isBetween(Math.min(initial, max), max);
            if (c.retry() < Integer.MAX_VALUE) {
                long next = new Backoff(c.initial(), c.multiplier(), c.max(), Jitter.NONE).cappedDelay(c.retry() + 1).toNanos();
                assertThat(next).as(() -> "capped delay never shrinks; " + replay.get()).isGreaterThanOrEqualTo(capped);
            }
            for (Jitter jitter : Jitter.values()) {
                Backoff backoff = new Backoff(c.initial(), c.multiplier(), c.max(), jitter);
                long delay = backoff.delay(c.retry(), c.previous(), c.random()).toNanos();
                Supplier<String> message = () -> jitter + " " + replay.get();
                assertThat(delay).as(message).isBetween(0L, max);
                assertThat(backoff.delay(c.retry(), c.previous(), c.random()).toNanos()).as(() -> "deterministic; " + message.get())
                        .isEqualTo(delay);
                switch (jitter) {
                    case NONE -> assertThat(delay).as(message).isEqualTo(capped);
                    case FULL -> assertThat(delay).as(message).isBetween(0L, capped);
                    case EQUAL -> assertThat(delay).as(message).isBetween(capped / 2, capped);
                    case DECORRELATED -> {
                        assertThat(delay).as(message).isGreaterThanOrEqualTo(Math.min(initial, max));
                        long previous = Math.max(0, saturatedNanos(c.previous()));
                        long upper = Math.max(initial, Durations.saturatedMultiply(previous, 3));
                        assertThat(delay).as(message).isLessThanOrEqualTo(Math.min(max, upper));
                    }
                }
            }
        }
    }

    @Test
    void everyJitterIsMonotoneInTheRandomValue() {
        long runSeed = Seeds.runSeed();
        SplittableRandom seeds = new SplittableRandom(runSeed ^ 0x1234);
        for (int i = 0; i < CASES / 4; i++) {
            long caseSeed = seeds.nextLong();
            SplittableRandom random = new SplittableRandom(caseSeed);
            Case c = generate(random);
            double other = random.nextDouble();
            double low = Math.min(c.random(), other);
            double high = Math.max(c.random(), other);
            int index = i;
            Supplier<String> replay = () -> Seeds.describe(runSeed, index, caseSeed) + ": " + c + " low " + low + " high " + high;
            for (Jitter jitter : Jitter.values()) {
                Backoff backoff = new Backoff(c.initial(), c.multiplier(), c.max(), jitter);
                assertThat(backoff.delay(c.retry(), c.previous(), low))
                        .as(() -> jitter + " " + replay.get())
                        .isLessThanOrEqualTo(backoff.delay(c.retry(), c.previous(), high));
            }
        }
    }
}
