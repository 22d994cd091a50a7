package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Whatever a server sends in its rate-limit headers, the parser never throws, never reports a
 * negative wait nor one above {@link RetryAfter#MAX_SECONDS}, and never a wait shorter than the
 * server asked for (nor more than a millisecond longer, short of saturating).
 */
class RateLimitResetPropertyTests {

    private static final Duration LONGEST = Duration.ofSeconds(RetryAfter.MAX_SECONDS);

    private static final BigDecimal LONGEST_SECONDS = BigDecimal.valueOf(RetryAfter.MAX_SECONDS);

    private static final BigDecimal THRESHOLD = BigDecimal.valueOf(RateLimitReset.EPOCH_THRESHOLD);

    private static final String ALPHABET = "0123456789 \t,;=:\"?()*-.@%\\rtpkabcRT/\u0000\u0007\r\n\u00ff\u00e9\u2028\uffff";

    private static Clock randomClock(SplittableRandom random) {
        Instant instant = switch (random.nextInt(6)) {
            case 0 -> Instant.MIN;
            case 1 -> Instant.MAX;
            case 2 -> Instant.ofEpochSecond(random.nextLong(-5_000_000_000_000L, 5_000_000_000_000L), random.nextInt(1_000_000_000));
            default -> Instant.ofEpochSecond(random.nextLong(900_000_000L, 2_500_000_000L), random.nextInt(1_000_000_000));
        };
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    private static void assertSafe(@Nullable String rateLimit, @Nullable String reset, @Nullable String xReset, Clock clock,
            Supplier<String> replay) {
        List<Optional<Duration>> results = new ArrayList<>();
        try {
            results.add(RateLimitReset.parse(rateLimit, reset, xReset, clock));
            results.add(RateLimitReset.parseRateLimit(rateLimit));
            results.add(RateLimitReset.parseReset(reset, clock));
            results.add(RateLimitReset.parseReset(xReset, clock));
        }
        catch (RuntimeException ex) {
            throw new AssertionError("threw " + ex + "; " + replay.get(), ex);
        }
        for (Optional<Duration> result : results) {
            if (result == null || result.filter(wait -> wait.isNegative() || wait.compareTo(LONGEST) > 0).isPresent()) {
                fail("got " + result + "; " + replay.get());
            }
        }
    }

    private static String quote(@Nullable String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder("\"");
        value.chars().limit(200).forEach(c -> quoted.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return quoted.append(value.length() > 200 ? "...\"" : "\"").toString();
    }

    private static String randomBytes(SplittableRandom random, int maxLength) {
        byte[] bytes = new byte[random.nextInt(0, maxLength)];
        random.nextBytes(bytes);
        return new String(bytes, random.nextBoolean() ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    /** A decimal number of seconds as a server might write it: from 0 to 30 digits, maybe a fraction of up to 15 digits. */
    private static String randomSeconds(SplittableRandom random) {
        StringBuilder number = new StringBuilder();
        int digits = switch (random.nextInt(4)) {
            case 0 -> random.nextInt(1, 4);
            case 1 -> random.nextInt(9, 14);
            default -> random.nextInt(1, 31);
        };
        for (int d = 0; d < digits; d++) {
            number.append((char) ('0' + random.nextInt(10)));
        }
        if (random.nextBoolean()) {
            number.append('.');
            int fraction = random.nextInt(1, 16);
            for (int d = 0; d < fraction; d++) {
                number.append((char) ('0' + random.nextInt(10)));
            }
        }
        return number.toString();
    }

    private static String randomItem(SplittableRandom random, String remaining, String reset) {
        List<String> parameters = new ArrayList<>(List.of(";r=" + remaining, ";t=" + reset));
        if (random.nextBoolean()) {
            parameters.add(random.nextInt(parameters.size() + 1), ";pk=:cHJpbmNpcGFs:");
        }
        if (random.nextInt(4) == 0) {
            java.util.Collections.reverse(parameters);
        }
        return (random.nextBoolean() ? "\"policy" + random.nextInt(100) + "\"" : "p" + random.nextInt(100)) + String.join("", parameters);
    }

    /** The exact wait, rounded up to the millisecond and saturated, as the parser must report it. */
    private static Duration expected(BigDecimal seconds) {
        if (seconds.signum() <= 0) {
            return Duration.ZERO;
        }
        BigDecimal millis = seconds.movePointRight(3).setScale(0, RoundingMode.CEILING);
        if (millis.compareTo(LONGEST_SECONDS.movePointRight(3)) >= 0) {
            return LONGEST;
        }
        return Duration.ofMillis(millis.longValueExact());
    }

    private static BigDecimal now(Clock clock) {
        Instant now = clock.instant();
        return BigDecimal.valueOf(now.getEpochSecond()).add(BigDecimal.valueOf(now.getNano(), 9));
    }

    @Test
    void randomBytesNeverThrow() {
        long runSeed = Seeds.runSeed();
        SplittableRandom seeds = new SplittableRandom(runSeed + 10);
        for (int i = 0; i < 10_000; i++) {
            long caseSeed = seeds.nextLong();
            SplittableRandom random = new SplittableRandom(caseSeed);
            String rateLimit = randomBytes(random, 120);
            String reset = randomBytes(random, 40);
            String xReset = randomBytes(random, 40);
            Clock clock = randomClock(random);
            int index = i;
            assertSafe(rateLimit, reset, xReset, clock, () -> Seeds.describe(runSeed, index, caseSeed) + ": RateLimit " + quote(rateLimit)
                    + " RateLimit-Reset " + quote(reset) + " X-RateLimit-Reset " + quote(xReset) + " clock " + clock.instant());
        }
    }

    @Test
    void nearMissFieldsNeverThrow() {
        long runSeed = Seeds.runSeed();
        SplittableRandom seeds = new SplittableRandom(runSeed + 11);
        for (int i = 0; i < 20_000; i++) {
            long caseSeed = seeds.nextLong();
            SplittableRandom random = new SplittableRandom(caseSeed);
            List<String> items = new ArrayList<>();
            for (int n = random.nextInt(1, 5); n > 0; n--) {
                items.add(randomItem(random, random.nextBoolean() ? "0" : randomSeconds(random), randomSeconds(random)));
            }
            StringBuilder rateLimit = new StringBuilder(String.join(", ", items));
            StringBuilder reset = new StringBuilder((random.nextBoolean() ? "-" : "") + randomSeconds(random));
            for (StringBuilder value : List.of(rateLimit, reset)) {
                for (int m = random.nextInt(0, 4); m > 0 && value.length() > 0; m--) {
                    int at = random.nextInt(value.length());
                    char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
                    switch (random.nextInt(4)) {
                        case 0 -> value.setCharAt(at, c);
                        case 1 -> value.deleteCharAt(at);
                        case 2 -> value.insert(at, c);
                        default -> value.setCharAt(at, value.charAt(random.nextInt(value.length())));
                    }
                }
            }
            Clock clock = randomClock(random);
            int index = i;
            assertSafe(rateLimit.toString(), reset.toString(), reset.toString(), clock, () -> Seeds.describe(runSeed, index, caseSeed)
                    + ": RateLimit " + quote(rateLimit.toString()) + " reset " + quote(reset.toString()) + " clock " + clock.instant());
        }
    }

    @Test
    void absurdLengthsNeverThrow() {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
        List<String> hostile = List.of("9".repeat(1_000_000), "0".repeat(1_000_000), "\"a\";r=0;t=" + "9".repeat(100_000),
                "\"a\";r=0;t=1." + "9".repeat(100_000), "(".repeat(100_000), "\"" + "\\\"".repeat(100_000),
                "\"a\";r=0;t=1, ".repeat(100_000), ";".repeat(100_000), "a;b".repeat(100_000), " ".repeat(1_000_000),
                "1." + "0".repeat(10_000) + "1", "-" + "9".repeat(50));
        for (String value : hostile) {
            assertSafe(value, value, value, clock, () -> "value " + quote(value) + " of length " + value.length());
        }
        // within the length limits, huge numbers saturate
        assertThat(RateLimitReset.parseRateLimit("\"a\";r=0;t=" + "9".repeat(8000))).contains(LONGEST);
        assertThat(RateLimitReset.parseRateLimit("\"a\";r=0;t=1." + "0".repeat(8000) + "1")).contains(Duration.ofMillis(1001));
    }

    /** A well-formed reset is never waited for less than it says, and never more than a millisecond longer. */
    @Test
    void resetIsNeverShorterThanAsked() {
        long runSeed = Seeds.runSeed();
        SplittableRandom seeds = new SplittableRandom(runSeed + 12);
        for (int i = 0; i < 20_000; i++) {
            long caseSeed = seeds.nextLong();
            SplittableRandom random = new SplittableRandom(caseSeed);
            String value = randomSeconds(random);
            if (random.nextInt(4) == 0) {
                // near the delta/epoch boundary and near now
                value = String.valueOf(random.nextLong(999_999_990L, 1_000_000_010L)) + (random.nextBoolean() ? "." + random.nextInt(1000) : "");
            }
            Clock clock = randomClock(random);
            String header = value;
            int index = i;
            Supplier<String> replay = () -> Seeds.describe(runSeed, index, caseSeed) + ": value " + header + " clock " + clock.instant();
            BigDecimal seconds = new BigDecimal(value);
            boolean epoch = seconds.compareTo(THRESHOLD) > 0;
            Duration wanted = expected(epoch ? seconds.subtract(now(clock)) : seconds);
            if (value.length() > 64) {
                assertThat(RateLimitReset.parseReset(value, clock)).as(replay).isEmpty();
            }
            else {
                assertThat(RateLimitReset.parseReset(value, clock)).as(replay).contains(wanted);
                assertThat(RateLimitReset.parse(null, null, value, clock)).as(replay).contains(wanted);
            }
        }
    }

    /** The longest exhausted policy's reset, never less, never more than a millisecond more. */
    @Test
    void rateLimitIsNeverShorterThanAsked() {
        long runSeed = Seeds.runSeed();
        SplittableRandom seeds = new SplittableRandom(runSeed + 13);
        for (int i = 0; i < 20_000; i++) {
            long caseSeed = seeds.nextLong();
            SplittableRandom random = new SplittableRandom(caseSeed);
            List<String> items = new ArrayList<>();
            BigDecimal longest = null;
            for (int n = random.nextInt(1, 6); n > 0; n--) {
                boolean exhausted = random.nextBoolean();
                String reset = randomSeconds(random);
                String remaining = exhausted ? "0" : String.valueOf(random.nextInt(1, 1000));
                items.add(randomItem(random, remaining, reset));
                if (exhausted) {
                    BigDecimal seconds = new BigDecimal(reset);
                    longest = longest == null ? seconds : longest.max(seconds);
                }
            }
            String field = String.join(random.nextBoolean() ? ", " : ",", items);
            Optional<Duration> wanted = Optional.ofNullable(longest).map(RateLimitResetPropertyTests::expected);
            int index = i;
            Supplier<String> replay = () -> Seeds.describe(runSeed, index, caseSeed) + ": RateLimit " + field;
            assertThat(RateLimitReset.parseRateLimit(field)).as(replay).isEqualTo(wanted);
            Clock clock = randomClock(random);
            assertThat(RateLimitReset.parse(field, "1", "2", clock)).as(replay).isEqualTo(wanted.or(() -> Optional.of(Duration.ofSeconds(1))));
        }
    }

    @Test
    void negativeValuesAreNeverAWait() {
        long runSeed = Seeds.runSeed();
        SplittableRandom seeds = new SplittableRandom(runSeed + 14);
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
        for (int i = 0; i < 5_000; i++) {
            long caseSeed = seeds.nextLong();
            SplittableRandom random = new SplittableRandom(caseSeed);
            String value = "-" + randomSeconds(random);
            if (new BigDecimal(value).signum() == 0) {
                continue;
            }
            int index = i;
            Supplier<String> replay = () -> Seeds.describe(runSeed, index, caseSeed) + ": value " + value;
            assertThat(RateLimitReset.parseReset(value, clock)).as(replay).isEmpty();
            assertThat(RateLimitReset.parseRateLimit("\"a\";r=0;t=" + value)).as(replay).isEmpty();
        }
    }
}
