package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RateLimitResetTests {

    /** 2023-11-14T22:13:20.250Z: epoch second 1,700,000,000 and a quarter. */
    private static final Clock NOW = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L, 250_000_000), ZoneOffset.UTC);

    private static final Duration SATURATED = Duration.ofSeconds(RetryAfter.MAX_SECONDS);

    private static Optional<Duration> rateLimit(String value) {
        return RateLimitReset.parseRateLimit(value);
    }

    private static Optional<Duration> reset(String value) {
        return RateLimitReset.parseReset(value, NOW);
    }

    @Test
    void rateLimitExhaustedPolicyAsksForItsReset() {
        assertThat(rateLimit("\"default\";r=0;t=30")).contains(Duration.ofSeconds(30));
        assertThat(rateLimit("default;r=0;t=30")).contains(Duration.ofSeconds(30));
        assertThat(rateLimit("\"default\";t=30;r=0")).contains(Duration.ofSeconds(30));
        assertThat(rateLimit("\"default\";r=0;t=0")).contains(Duration.ZERO);
        assertThat(rateLimit("\"default\";r=0;t=30;pk=:cHJpbmNpcGFsCg==:")).contains(Duration.ofSeconds(30));
    }

    @Test
    void rateLimitPolicyWithQuotaLeftAsksForNothing() {
        assertThat(rateLimit("\"default\";r=50;t=30")).isEmpty();
        assertThat(rateLimit("\"default\";t=30")).isEmpty();
        assertThat(rateLimit("\"default\";r=0")).isEmpty();
        assertThat(rateLimit("\"default\"")).isEmpty();
    }

    @Test
    void rateLimitWithSeveralPoliciesTakesTheLongestExhaustedOne() {
        assertThat(rateLimit("\"a\";r=5;t=1, \"b\";r=0;t=17")).contains(Duration.ofSeconds(17));
        assertThat(rateLimit("\"a\";r=0;t=40, \"b\";r=0;t=17, \"c\";r=3;t=99")).contains(Duration.ofSeconds(40));
        assertThat(rateLimit("\"a\";r=0;t=4,\"b\";r=0;t=17")).contains(Duration.ofSeconds(17));
        assertThat(rateLimit("\"a\";r=0;t=4 ,\t\"b\";r=0;t=17")).contains(Duration.ofSeconds(17));
        assertThat(rateLimit("\"a\";r=1;t=4, \"b\";r=2;t=17")).isEmpty();
    }

    @Test
    void rateLimitParameterGivenTwiceTakesItsLastValue() {
        assertThat(rateLimit("\"a\";r=0;t=5;t=9")).contains(Duration.ofSeconds(9));
        assertThat(rateLimit("\"a\";r=0;r=3;t=9")).isEmpty();
        assertThat(rateLimit("\"a\";r=3;r=0;t=9")).contains(Duration.ofSeconds(9));
    }

    @Test
    void rateLimitAcceptsEveryKindOfStructuredFieldMember() {
        String others = "?1;r=0;t=3, :AAE=:;r=0;t=4, 12.5;r=0;t=5, -3, @1659578233;x, %\"caf%c3%a9\", (\"x\" y;q=1);r=0;t=6";
        assertThat(rateLimit(others)).contains(Duration.ofSeconds(6));
        assertThat(rateLimit("\"a\";r=0;t=2;q;s=?0;u=\"str\";v=tok/en:1")).contains(Duration.ofSeconds(2));
    }

    @Test
    void rateLimitSurroundingWhitespaceIsIgnored() {
        assertThat(rateLimit("  \"default\";r=0;t=30  ")).contains(Duration.ofSeconds(30));
        assertThat(rateLimit("\t\"default\";r=0;t=30\t")).contains(Duration.ofSeconds(30));
    }

    @Test
    void rateLimitFractionsRoundUpToTheMillisecond() {
        assertThat(rateLimit("\"a\";r=0;t=1.5")).contains(Duration.ofMillis(1500));
        assertThat(rateLimit("\"a\";r=0;t=1.0001")).contains(Duration.ofMillis(1001));
        assertThat(rateLimit("\"a\";r=0;t=0.0000000001")).contains(Duration.ofMillis(1));
        assertThat(rateLimit("\"a\";r=0.0;t=2")).contains(Duration.ofSeconds(2));
    }

    @Test
    void rateLimitHugeResetSaturates() {
        assertThat(rateLimit("\"a\";r=0;t=99999999999999999999999999")).contains(SATURATED);
        assertThat(rateLimit("\"a\";r=0;t=999999999999.9999")).contains(SATURATED);
        assertThat(rateLimit("\"a\";r=000000000000000000000000;t=7")).contains(Duration.ofSeconds(7));
    }

    @Test
    void rateLimitUnusableResetIsIgnored() {
        assertThat(rateLimit("\"a\";r=0;t=-5")).isEmpty();
        assertThat(rateLimit("\"a\";r=0;t=\"30\"")).isEmpty();
        assertThat(rateLimit("\"a\";r=0;t=?1")).isEmpty();
        assertThat(rateLimit("\"a\";r=-1;t=5")).isEmpty();
        // the other, usable item still counts
        assertThat(rateLimit("\"a\";r=0;t=-5, \"b\";r=0;t=3")).contains(Duration.ofSeconds(3));
    }

    /** RFC 9651: a field that fails to parse is ignored as a whole, so one bad member spoils the field. */
    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { "   ", ",", "\"a\";r=0;t=30,", ",\"a\";r=0;t=30", "\"a\";r=0;t=30,,\"b\"", "\"a\";R=0;t=30",
            "\"a\";r=0;t=30 \"b\"", "\"a\";r=0;t=3O", "\"a\";r=0;t=1.", "\"a\";r=0;t=.5", "\"a\";r=0;t=", "\"a;r=0;t=30",
            "\"a\";r=0;;t=30", "\"a\" ;r=0;t=30", "\"a\";r=0;t=30;", "\"caf\u00e9\";r=0;t=30", "\u00e9;r=0;t=30",
            "\"a\\x\";r=0;t=30", "(\"a\";r=0;t=30", "\"a\";r=0;t=30\u0000", "r=0;t=30;\"a\"", "\"a\";r=0;t=1e3" })
    void rateLimitMalformedFieldIsIgnored(String value) {
        assertThat(rateLimit(value)).isEmpty();
    }

    /**
     * A member that breaks the syntax after a valid exhausted one still spoils the whole field: were
     * it skipped instead, the earlier member would ask for 5 seconds.
     */
    @ParameterizedTest
    @ValueSource(strings = { "(\"b\"", "(\"b\";q=1x)", "(\"b\" ?2)", "(\"b\" ", "\"b\";r=0;t=", "\"b\";R=1", "\"b\";=1", "?2", "?",
            "@x", "@", "%x", "%\"caf%C3%A9\"", "%\"caf%c3%a\"", "%\"caf%c3%\"", "%\"abc", "%\"ab\u00e9\"", "%\"\u007f\"", "-", "-x", "1.",
            "1.x", "\"abc", "\"a\u0001\"", "\"a\u001f\"", "\"a\u007f\"", "\"a\\q\"", "\"a\\", ":AAE=", ":AA E=:", "#x", "\"b\";r=0;t=1;",
            "\"b\"x", "\"b\";k=\"v", "\"b\";k=?", "\"b\";k=(1)", "" })
    void rateLimitSyntaxErrorAfterAValidMemberSpoilsTheField(String bad) {
        assertThat(rateLimit("\"a\";r=0;t=5, " + bad)).isEmpty();
    }

    /** Characters at the edges of each allowed range. */
    @Test
    void rateLimitAcceptsTheEdgesOfEachCharacterRange() {
        assertThat(rateLimit("\"a ~\\\"\\\\\";r=0;t=1")).contains(Duration.ofSeconds(1));
        assertThat(rateLimit("%\" ~%af%09\";r=0;t=2")).contains(Duration.ofSeconds(2));
        assertThat(rateLimit("A;r=0;t=3, Z, a, z, *t, a09AZaz!#$%&'*+-.^_`|~:/, b;a=1;z=2;a0_-.*z=3;*k")).contains(Duration.ofSeconds(3));
        assertThat(rateLimit("\"b\"; r=0;  t=7")).contains(Duration.ofSeconds(7));
        assertThat(rateLimit("(\"x\"  y;q=1 );r=0;t=8, ( );r=0;t=1, ()")).contains(Duration.ofSeconds(8));
        assertThat(rateLimit("(\"x\") ;r=0;t=8")).isEmpty();
        assertThat(rateLimit(":azAZ09+/=:;r=0;t=9, ?0, ?1, @-5, @0")).contains(Duration.ofSeconds(9));
        assertThat(rateLimit("`;r=0;t=1")).isEmpty();
        assertThat(rateLimit("[;r=0;t=1")).isEmpty();
        assertThat(rateLimit("{;r=0;t=1")).isEmpty();
        assertThat(rateLimit("@;r=0;t=1")).isEmpty();
        assertThat(rateLimit("a;`=1;r=0;t=1")).isEmpty();
        assertThat(rateLimit("a;b{=1;r=0;t=1")).isEmpty();
        assertThat(rateLimit("%\"%ag\";r=0;t=1")).isEmpty();
        assertThat(rateLimit("%\"%`a\";r=0;t=1")).isEmpty();
        assertThat(rateLimit("%\"%/a\";r=0;t=1")).isEmpty();
        assertThat(rateLimit("%\"%:a\";r=0;t=1")).isEmpty();
    }

    @Test
    void rateLimitOverlongFieldIsIgnored() {
        String item = "\"a\";r=0;t=30";
        String padding = ", \"b\";r=1;t=1".repeat(1000);
        String field = item + padding;
        assertThat(field.length()).isGreaterThan(RateLimitReset.MAX_RATE_LIMIT_LENGTH);
        assertThat(rateLimit(field)).isEmpty();
        String fits = item + padding.substring(0, RateLimitReset.MAX_RATE_LIMIT_LENGTH - item.length() - 1) + "1";
        assertThat(fits).hasSize(RateLimitReset.MAX_RATE_LIMIT_LENGTH);
        assertThat(rateLimit(fits)).contains(Duration.ofSeconds(30));
    }

    @Test
    void resetDeltaSeconds() {
        assertThat(reset("30")).contains(Duration.ofSeconds(30));
        assertThat(reset(" 30\t")).contains(Duration.ofSeconds(30));
        assertThat(reset("0")).contains(Duration.ZERO);
        assertThat(reset("007")).contains(Duration.ofSeconds(7));
        assertThat(reset("1000000000")).contains(Duration.ofSeconds(1_000_000_000L));
    }

    @Test
    void resetFractionsRoundUpToTheMillisecondAndNeverEarly() {
        assertThat(reset("1.5")).contains(Duration.ofMillis(1500));
        assertThat(reset("0.0001")).contains(Duration.ofMillis(1));
        assertThat(reset("2.000")).contains(Duration.ofSeconds(2));
        assertThat(reset("2.0010000000000000000001")).contains(Duration.ofMillis(2002));
        assertThat(reset("0.999999999999")).contains(Duration.ofSeconds(1));
    }

    @Test
    void resetAboveOneBillionIsAnEpochSecond() {
        assertThat(reset("1700000030")).contains(Duration.ofMillis(29_750));
        assertThat(reset("1700000000.5")).contains(Duration.ofMillis(250));
        assertThat(reset("1700000000.2500001")).contains(Duration.ofMillis(1));
        assertThat(reset("1700000000.25")).contains(Duration.ZERO);
        assertThat(reset("1000000000.001")).contains(Duration.ZERO);
    }

    @Test
    void resetEpochRoundsUpToTheMillisecond() {
        Clock odd = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L, 123_456_789), ZoneOffset.UTC);
        // 0.876543211 s is left: 877 ms, never 876
        assertThat(RateLimitReset.parseReset("1700000001", odd)).contains(Duration.ofMillis(877));
    }

    @Test
    void resetEpochInThePastIsNoWait() {
        assertThat(reset("1699999999")).contains(Duration.ZERO);
        assertThat(reset("1000000001")).contains(Duration.ZERO);
    }

    @Test
    void resetHugeValuesSaturate() {
        assertThat(reset("99999999999999999999999999999")).contains(SATURATED);
        assertThat(reset("9223372036854775808")).contains(SATURATED);
        Clock early = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        assertThat(RateLimitReset.parseReset("999999999999", early)).contains(Duration.ofSeconds(999_999_999_999L));
        assertThat(RateLimitReset.parseReset("1000000000001", early)).contains(SATURATED);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { " ", "-1", "-0.5", "+5", "5s", "5 5", "1,5", "1.", ".5", "0x10", "1e3", "abc", "\u0665",
            "Sun, 06 Nov 1994 08:49:37 GMT", "\u00001", "5\r\n" })
    void resetMalformedValueIsIgnored(String value) {
        assertThat(reset(value)).isEmpty();
    }

    @Test
    void resetOverlongValueIsIgnored() {
        assertThat(reset("0".repeat(63) + "5")).contains(Duration.ofSeconds(5));
        assertThat(reset("0".repeat(64) + "5")).isEmpty();
    }

    @Test
    void minusZeroIsZero() {
        assertThat(reset("-0")).contains(Duration.ZERO);
        assertThat(rateLimit("\"a\";r=-0;t=4")).contains(Duration.ofSeconds(4));
    }

    @Test
    void rateLimitWinsOverTheResetHeaders() {
        assertThat(RateLimitReset.parse("\"a\";r=0;t=5", "60", "70", NOW)).contains(Duration.ofSeconds(5));
    }

    @Test
    void rateLimitResetWinsOverXRateLimitReset() {
        assertThat(RateLimitReset.parse(null, "60", "70", NOW)).contains(Duration.ofSeconds(60));
        assertThat(RateLimitReset.parse("\"a\";r=3;t=5", "60", "70", NOW)).contains(Duration.ofSeconds(60));
    }

    @Test
    void aHeaderThatYieldsNothingPassesToTheNext() {
        assertThat(RateLimitReset.parse("garbage;;", "soon", "70", NOW)).contains(Duration.ofSeconds(70));
        assertThat(RateLimitReset.parse(null, null, "1700000010", NOW)).contains(Duration.ofMillis(9_750));
        assertThat(RateLimitReset.parse(null, "-3", null, NOW)).isEmpty();
        assertThat(RateLimitReset.parse(null, null, null, NOW)).isEmpty();
    }
}
