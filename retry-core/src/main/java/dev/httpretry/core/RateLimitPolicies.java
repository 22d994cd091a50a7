package dev.httpretry.core;

import java.time.Duration;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The policy items of one {@code RateLimit} field, read for the wait they ask for: an item whose
 * remaining quota {@code r} is zero asks for a wait of its {@code t} parameter, in seconds, and the
 * largest such wait wins, since a request sent earlier would still be refused by that policy. The
 * syntax is left to {@link StructuredFieldParser}; a field that is not a valid list yields nothing.
 */
final class RateLimitPolicies implements StructuredListHandler {

    private @Nullable Duration longest;

    private @Nullable DecimalSeconds remaining;

    private @Nullable DecimalSeconds reset;

    private RateLimitPolicies() {
    }

    /**
     * The largest {@code t} among the items of a {@code RateLimit} field whose {@code r} is zero.
     * @param field the field value, the whitespace around it already dropped
     * @return the wait, or empty when the field is not a valid list or has no exhausted item with a
     *     usable {@code t}
     */
    static Optional<Duration> longestExhaustedReset(String field) {
        RateLimitPolicies policies = new RateLimitPolicies();
        return StructuredFieldParser.parseList(field, policies) ? Optional.ofNullable(policies.longest) : Optional.empty();
    }

    @Override
    public void memberStarted() {
        this.remaining = null;
        this.reset = null;
    }

    @Override
    public void parameter(String key, @Nullable String value) {
        DecimalSeconds number = (value != null) ? DecimalSeconds.parse(value, 0, value.length()) : null;
        // RFC 9651: a parameter given twice takes its last value; a non-number is no value here
        if (key.equals("r")) {
            this.remaining = number;
        }
        else if (key.equals("t")) {
            this.reset = number;
        }
    }

    /** An item asks for a wait when its remaining quota is zero and its reset is a usable number. */
    @Override
    public void memberEnded() {
        DecimalSeconds r = this.remaining;
        DecimalSeconds t = this.reset;
        if (r == null || t == null || !r.isZero() || t.negative()) {
            return;
        }
        Duration wait = t.asDelay();
        if (this.longest == null || wait.compareTo(this.longest) > 0) {
            this.longest = wait;
        }
    }
}
