package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTests {

    /** 37 seconds before the RFC's example date, Sun, 06 Nov 1994 08:49:37 GMT. */
    private static final Clock BEFORE = fixed("1994-11-06T08:49:00Z");

    private static Clock fixed(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }

    private static Optional<Duration> parse(String value) {
        return RetryAfter.parse(value, BEFORE);
    }

    @Test
    void deltaSeconds() {
        assertThat(parse("120")).contains(Duration.ofSeconds(120));
        assertThat(parse(" 5 ")).contains(Duration.ofSeconds(5));
        assertThat(parse("\t5\t")).contains(Duration.ofSeconds(5));
        assertThat(parse("0")).contains(Duration.ZERO);
        assertThat(parse("007")).contains(Duration.ofSeconds(7));
        assertThat(parse("3600")).contains(Duration.ofHours(1));
    }

    @Test
    void deltaSecondsDoNotDependOnTheClock() {
        assertThat(RetryAfter.parse("120", fixed("2090-01-01T00:00:00.123456789Z"))).contains(Duration.ofSeconds(120));
    }

    /**
     * A delta-seconds value too large to be meant saturates at {@link RetryAfter#MAX_SECONDS} (as the
     * class Javadoc documents) rather than being treated as absent; the policy then stops the call as
     * retry-after-too-long.
     */
    @Test
    void hugeDeltaSecondsSaturate() {
        Duration saturated = Duration.ofSeconds(RetryAfter.MAX_SECONDS);
        assertThat(parse("99999999999999999999")).contains(saturated);
        assertThat(parse("9223372036854775808")).contains(saturated); // Long.MAX_VALUE + 1
        assertThat(parse("1000000000000")).contains(saturated);
        assertThat(parse("1000000000001")).contains(saturated);
        assertThat(parse("999999999999")).contains(Duration.ofSeconds(RetryAfter.MAX_SECONDS - 1));
        assertThat(parse("0000000000000000000000000000000042")).contains(Duration.ofSeconds(42));
    }

    @Test
    void valuesLongerThanSixtyFourCharactersAreIgnored() {
        assertThat(parse("9".repeat(64))).contains(Duration.ofSeconds(RetryAfter.MAX_SECONDS));
        assertThat(parse("9".repeat(65))).isEmpty();
        assertThat(parse("0".repeat(63) + "5")).contains(Duration.ofSeconds(5));
        assertThat(parse("0".repeat(64) + "5")).isEmpty();
        // the surrounding whitespace does not count
        assertThat(parse("   " + "0".repeat(63) + "5" + "\t\t")).contains(Duration.ofSeconds(5));
    }

    @Test
    void imfFixdate() {
        assertThat(parse("Sun, 06 Nov 1994 08:49:37 GMT")).contains(Duration.ofSeconds(37));
        assertThat(parse("  Sun, 06 Nov 1994 08:49:37 GMT\t")).contains(Duration.ofSeconds(37));
        assertThat(parse("Sun, 06 Nov 1994 09:49:37 GMT")).contains(Duration.ofSeconds(3637));
        assertThat(parse("Mon, 07 Nov 1994 08:49:00 GMT")).contains(Duration.ofDays(1));
    }

    @Test
    void rfc850Date() {
        assertThat(parse("Sunday, 06-Nov-94 08:49:37 GMT")).contains(Duration.ofSeconds(37));
        assertThat(parse("Sunday, 6-Nov-94 08:49:37 GMT")).contains(Duration.ofSeconds(37));
    }

    /** Regression: java.time's own RFC_1123_DATE_TIME writes a one-digit day, and such dates were ignored. */
    @Test
    void imfFixdateWithAOneDigitDayAsJavaTimeWritesIt() {
        Clock clock = fixed("2026-12-01T20:39:54Z");
        String threeSecondsAhead = DateTimeFormatter.RFC_1123_DATE_TIME
                .format(Instant.parse("2026-12-01T20:39:57Z").atZone(ZoneOffset.UTC));
        assertThat(threeSecondsAhead).isEqualTo("Tue, 1 Dec 2026 20:39:57 GMT");
        assertThat(RetryAfter.parse(threeSecondsAhead, clock)).contains(Duration.ofSeconds(3));
        assertThat(RetryAfter.parse("Sat, 5 Jan 2030 00:00:00 GMT", clock))
                .contains(Duration.between(clock.instant(), Instant.parse("2030-01-05T00:00:00Z")));
        assertThat(parse("Sun, 6 Nov 1994 08:49:37 GMT")).contains(Duration.ofSeconds(37));
    }

    @Test
    void asctimeDate() {
        assertThat(parse("Sun Nov  6 08:49:37 1994")).contains(Duration.ofSeconds(37));
        assertThat(parse("Wed Nov 16 08:49:00 1994")).contains(Duration.ofDays(10));
        // a zero-padded day is read as well
        assertThat(parse("Sun Nov 06 08:49:37 1994")).contains(Duration.ofSeconds(37));
    }

    @Test
    void leapDay() {
        assertThat(RetryAfter.parse("Thu, 29 Feb 1996 00:00:00 GMT", fixed("1996-02-28T00:00:00Z")))
                .contains(Duration.ofDays(1));
    }

    @Test
    void dateNowOrInThePastMeansNoWait() {
        assertThat(parse("Sun, 06 Nov 1994 08:49:00 GMT")).contains(Duration.ZERO);
        assertThat(parse("Sun, 06 Nov 1994 08:48:59 GMT")).contains(Duration.ZERO);
        assertThat(parse("Thu, 01 Jan 1970 00:00:00 GMT")).contains(Duration.ZERO);
        assertThat(parse("Sunday, 06-Nov-94 08:00:00 GMT")).contains(Duration.ZERO);
        assertThat(parse("Sun Nov  6 08:00:00 1994")).contains(Duration.ZERO);
        // half a second past the date
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", fixed("1994-11-06T08:49:37.500Z")))
                .contains(Duration.ZERO);
    }

    @Test
    void subSecondClockRoundsUpToAWholeMillisecondSoTheCallerNeverWakesEarly() {
        String date = "Sun, 06 Nov 1994 08:49:37 GMT";
        // 36.999999999 s: waking after 36.999 s would be early
        assertThat(RetryAfter.parse(date, fixed("1994-11-06T08:49:00.000000001Z"))).contains(Duration.ofSeconds(37));
        // 36.7496 s → 36.750 s
        assertThat(RetryAfter.parse(date, fixed("1994-11-06T08:49:00.250400Z"))).contains(Duration.ofMillis(36_750));
        // 36.7491 s → 36.750 s
        assertThat(RetryAfter.parse(date, fixed("1994-11-06T08:49:00.250900Z"))).contains(Duration.ofMillis(36_750));
        // already whole milliseconds: unchanged, not one more
        assertThat(RetryAfter.parse(date, fixed("1994-11-06T08:49:00.250Z"))).contains(Duration.ofMillis(36_750));
        // less than a millisecond before the date: one millisecond
        assertThat(RetryAfter.parse(date, fixed("1994-11-06T08:49:36.999999Z"))).contains(Duration.ofMillis(1));
    }

    @Test
    void rfc850TwoDigitYearMoreThanFiftyYearsAheadIsInThePreviousCentury() {
        Clock clock = fixed("2025-01-01T00:00:00Z");
        // 2075 is exactly 50 years ahead: taken as 2075
        assertThat(RetryAfter.parse("Tuesday, 01-Jan-75 00:00:00 GMT", clock))
                .contains(Duration.between(Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2075-01-01T00:00:00Z")));
        // 2076 would be 51 years ahead: 1976, in the past
        assertThat(RetryAfter.parse("Thursday, 01-Jan-76 00:00:00 GMT", clock)).contains(Duration.ZERO);
        // 25 and 26: this year and next
        assertThat(RetryAfter.parse("Wednesday, 01-Jan-25 00:00:10 GMT", clock)).contains(Duration.ofSeconds(10));
        assertThat(RetryAfter.parse("Thursday, 01-Jan-26 00:00:00 GMT", clock)).contains(Duration.ofDays(365));
        // the century follows the clock: in 1994, "94" is 1994 and "45" is 2045
        assertThat(RetryAfter.parse("Sunday, 06-Nov-44 08:49:00 GMT", BEFORE))
                .contains(Duration.between(BEFORE.instant(), Instant.parse("2044-11-06T08:49:00Z")));
        assertThat(RetryAfter.parse("Monday, 06-Nov-45 08:49:00 GMT", BEFORE)).contains(Duration.ZERO);
    }

    @Test
    void theDayNameIsNotCheckedAgainstTheDate() {
        // documented: the date is what the server meant; a wrong day name is no reason to retry sooner
        assertThat(parse("Mon, 06 Nov 1994 08:49:37 GMT")).contains(Duration.ofSeconds(37));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { " ", "\t", "soon", "-5", "1.5", "+5", "5s", "0x10", "5 5", "1e3", "５", "٥",
            "5\u0000", "\u0007", "\u00005", "5\r\n", "\r\n5", "\u00a05", "5\u000b",
            // wrong-format dates
            "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 94 08:49:37 GMT",
            "sun, 06 nov 1994 08:49:37 gmt", "Sunday, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov 6 08:49:37 1994",
            "Sun Nov  6 08:49:37 94", "1994-11-06T08:49:37Z", "Sun, 06 Nov 1994 08:49:37 GMTX",
            "XSun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 8:49:37 GMT",
            // impossible dates and times
            "Fri, 30 Feb 2024 00:00:00 GMT", "Thu, 29 Feb 2001 00:00:00 GMT", "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:37 GMT", "Sun, 06 Nov 1994 08:49:60 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 0 Nov 1994 08:49:37 GMT", "Sun, 006 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Sunday, 31-Feb-94 08:49:37 GMT",
            "Sun Feb 30 08:49:37 1994",
            // years that are not four digits (a longer year used to be truncated to an int and accepted)
            "Sun, 06 Nov +1994 08:49:37 GMT", "Sun, 06 Nov -1994 08:49:37 GMT", "Sun, 06 Nov 01994 08:49:37 GMT",
            "Sun, 06 Nov +4294969290 08:49:37 GMT", "Sun Nov  6 08:49:37 +4294969290", "Sun Nov  6 08:49:37 19940" })
    void unusableValuesAreEmpty(String value) {
        assertThat(parse(value)).isEmpty();
    }
}
