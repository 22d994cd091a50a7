package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

/** Whatever a server sends, the parser never throws and never reports a negative wait. */
class RetryAfterPropertyTests {

    private static final DateTimeFormatter IMF = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    /** The one-digit day that java.time's own {@code RFC_1123_DATE_TIME} writes. */
    private static final DateTimeFormatter IMF_ONE_DIGIT_DAY = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private static final DateTimeFormatter RFC850 = DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US)
            .withZone(ZoneOffset.UTC);

    /** Year 1 to year 9999, the four-digit years an HTTP-date can name. */
    private static final long MIN_EPOCH_SECOND = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();

    private static final long MAX_EPOCH_SECOND = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

    private static final String ALPHABET = "0123456789 \t,:-+.SMTWFunoedhriaJFbMrAylgpOcNvDGTsxX\u0000\u0007\r\n\u00ff\u00e9\u2028\uffff";

    private static Instant randomInstant(SplittableRandom random) {
        return Instant.ofEpochSecond(random.nextLong(MIN_EPOCH_SECOND, MAX_EPOCH_SECOND + 1));
    }

    private static Clock randomClock(SplittableRandom random, Instant near) {
        long offset = switch (random.nextInt(4)) {
            case 0 -> random.nextLong(-120, 120);
            case 1 -> random.nextLong(-100_000_000, 100_000_000);
            default -> random.nextLong(-5_000_000_000L, 5_000_000_000L);
        };
        long second = Math.max(MIN_EPOCH_SECOND, Math.min(MAX_EPOCH_SECOND, near.getEpochSecond() + offset));
        return Clock.fixed(Instant.ofEpochSecond(second, random.nextInt(1_000_000_000)), ZoneOffset.UTC);
    }

    private static final Duration LONGEST = Duration.ofSeconds(Math.max(RetryAfter.MAX_SECONDS, MAX_EPOCH_SECOND - MIN_EPOCH_SECOND));

    private static void assertSafe(String value, Clock clock, Supplier<String> replay) {
        Optional<Duration> result;
        try {
            result = RetryAfter.parse(value, clock);
        }
        catch (RuntimeException ex) {
            throw new AssertionError("threw " + ex + "; " + replay.get(), ex);
        }
        if (result == null || result.filter(delay -> delay.isNegative() || delay.compareTo(LONGEST) > 0).isPresent()) {
            fail("got " + result + "; " + replay.get());
        }
    }

    private static String quote(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        value.chars().forEach(c -> quoted.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return quoted.append('"').toString();
    }

    @Test
    void randomBytesNeverThrow() {
        long runSeed = Seeds.runSeed();
        SplittableRandom seeds = new SplittableRandom(runSeed);
        for (int i = 0; i < 10_000; i++) {
            long caseSeed = seeds.nextLong();
            SplittableRandom random = new SplittableRandom(caseSeed);
            byte[] bytes = new byte[random.nextInt(0, 80)];
            random.nextBytes(bytes);
            Clock clock = randomClock(random, randomInstant(random));
            for (String value : List.of(new String(bytes, StandardCharsets.ISO_8859_1), new String(bytes, StandardCharsets.UTF_8))) {
                int index = i;
                assertSafe(value, clock, () -> Seeds.describe(runSeed, index, caseSeed) + ": value " + quote(value) + " clock " + clock);
            }
        }
    }

    @Test
    void nearMissDatesNeverThrow() {
        long runSeed = Seeds.runSeed();
        SplittableRandom seeds = new SplittableRandom(runSeed + 1);
        for (int i = 0; i < 10_000; i++) {
            long caseSeed = seeds.nextLong();
            SplittableRandom random = new SplittableRandom(caseSeed);
            Instant date = randomInstant(random);
            Clock clock = randomClock(random, date);
            DateTimeFormatter format = List.of(IMF, IMF_ONE_DIGIT_DAY, RFC850, ASCTIME).get(random.nextInt(4));
            char[] chars = format.format(date).toCharArray();
            StringBuilder value = new StringBuilder(new String(chars));
            int mutations = random.nextInt(1, 4);
            for (int m = 0; m < mutations && value.length() > 0; m++) {
                int at = random.nextInt(value.length());
                char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
                switch (random.nextInt(4)) {
                    case 0 -> value.setCharAt(at, c);
                    case 1 -> value.deleteCharAt(at);
                    case 2 -> value.insert(at, c);
                    default -> value.setCharAt(at, value.charAt(random.nextInt(value.length())));
                }
            }
            int index = i;
            assertSafe(value.toString(), clock,
                    () -> Seeds.describe(runSeed, index, caseSeed) + ": value " + quote(value.toString()) + " clock " + clock);
        }
    }

    @Test
    void everyCharacterOfAValidDateReplacedNeverThrows() {
        Clock clock = Clock.fixed(Instant.parse("1994-11-06T08:49:00Z"), ZoneOffset.UTC);
        for (String valid : List.of("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994")) {
            for (int at = 0; at < valid.length(); at++) {
                for (int c = 0; c < 256; c++) {
                    String value = valid.substring(0, at) + (char) c + valid.substring(at + 1);
                    assertSafe(value, clock, () -> "value " + quote(value));
                }
                int deleted = at;
                assertSafe(valid.substring(0, at) + valid.substring(at + 1), clock, () -> "deleted at " + deleted + " of " + valid);
            }
        }
    }

    @Test
    void hugeNumbersSaturateAndOverlongValuesAreIgnored() {
        long runSeed = Seeds.runSeed();
        SplittableRandom seeds = new SplittableRandom(runSeed + 2);
        Clock clock = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        BigInteger max = BigInteger.valueOf(RetryAfter.MAX_SECONDS);
        for (int i = 0; i < 5_000; i++) {
            long caseSeed = seeds.nextLong();
            SplittableRandom random = new SplittableRandom(caseSeed);
            int length = random.nextInt(1, 100);
            StringBuilder digits = new StringBuilder();
            for (int d = 0; d < length; d++) {
                digits.append((char) ('0' + random.nextInt(10)));
            }
            int index = i;
            Supplier<String> replay = () -> Seeds.describe(runSeed, index, caseSeed) + ": value " + digits;
            Optional<Duration> result = RetryAfter.parse(digits.toString(), clock);
            if (length > 64) {
                assertThat(result).as(replay).isEmpty();
            }
            else {
                long expected = new BigInteger(digits.toString()).min(max).longValueExact();
                assertThat(result).as(replay).contains(Duration.ofSeconds(expected));
            }
        }
    }

    /** A well-formed date is never waited for less than it says, and never more than a millisecond longer. */
    @Test
    void validDatesRoundUpToTheMillisecondAndNeverWakeEarly() {
        long runSeed = Seeds.runSeed();
        SplittableRandom seeds = new SplittableRandom(runSeed + 3);
        for (int i = 0; i < 10_000; i++) {
            long caseSeed = seeds.nextLong();
            SplittableRandom random = new SplittableRandom(caseSeed);
            Instant date = randomInstant(random);
            Clock clock = randomClock(random, date);
            int year = date.atZone(ZoneOffset.UTC).getYear();
            int clockYear = clock.instant().atZone(ZoneOffset.UTC).getYear();
            // RFC 850 names the year by two digits: only dates within the rule's hundred years are meant.
            // (java.time resolves a reduced year against a base year of zero or below oddly, so clocks
            // before year 1000 are left out; an HTTP client's clock is not.)
            boolean rfc850 = year >= clockYear - 49 && year <= clockYear + 50 && clockYear >= 1000;
            for (DateTimeFormatter format : rfc850 ? List.of(IMF, IMF_ONE_DIGIT_DAY, RFC850, ASCTIME) : List.of(IMF, IMF_ONE_DIGIT_DAY, ASCTIME)) {
                String value = format.format(date);
                int index = i;
                Supplier<String> replay = () -> Seeds.describe(runSeed, index, caseSeed) + ": value \"" + value + "\" clock " + clock.instant();
                BigInteger nanos = BigInteger.valueOf(date.getEpochSecond()).subtract(BigInteger.valueOf(clock.instant().getEpochSecond()))
                        .multiply(BigInteger.valueOf(1_000_000_000)).subtract(BigInteger.valueOf(clock.instant().getNano()));
                Duration expected = nanos.signum() <= 0 ? Duration.ZERO
                        : Duration.ofMillis(nanos.add(BigInteger.valueOf(999_999)).divide(BigInteger.valueOf(1_000_000)).longValueExact());
                assertThat(RetryAfter.parse(value, clock)).as(replay).contains(expected);
            }
        }
    }
}
