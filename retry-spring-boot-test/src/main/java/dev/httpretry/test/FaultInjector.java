package dev.httpretry.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;

/**
 * Makes a retrying client's requests fail the way servers and networks fail, below the retry layer
 * of WebClient, RestClient and HTTP service groups alike: the starter's decisions, meters, traces and
 * decision log see each injected failure as a real one, and a test drives the application's retry
 * behaviour without a fake server. A bean of the test support's auto-configuration, cleared before
 * and after each test method.
 *
 * <pre class="code">
 * faults.forClient("payments").next(2).respond(503, "Retry-After", "1");
 * faults.forEveryClient().share(0.2).reset();
 * </pre>
 *
 * <p>Each request an attempt sends asks the faults in the order they were added: the first that
 * applies answers it instead of the server (or, for {@link Requests#answerLate}, delays it); a request
 * no fault applies to goes to the server. A fault for a client applies to the requests that retry
 * under it. A share is drawn from a seeded random source ({@link #setRandom}), so a test repeats
 * exactly. Thread-safe.
 */
public final class FaultInjector {

    private final List<Rule> rules = new ArrayList<>();

    private RandomGenerator random = new SplittableRandom(0);

    private int injected;

    /**
     * Faults for one client's requests.
     * @param client the client's name ({@code default} for the auto-configured builder's clients)
     * @return which of its requests fail
     */
    public Target forClient(String client) {
        return new Target(Objects.requireNonNull(client, "client"));
    }

    /**
     * Faults for every retrying client's requests.
     * @return which requests fail
     */
    public Target forEveryClient() {
        return new Target(null);
    }

    /**
     * The random source that draws {@link Target#share shares}; by default a fixed seed.
     * @param random the source
     */
    public synchronized void setRandom(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Removes every fault and resets the count; the test support does it before and after each test method. */
    public synchronized void clear() {
        this.rules.clear();
        this.injected = 0;
    }

    /**
     * How many requests a fault answered or delayed since the last {@link #clear()}.
     * @return the count
     */
    public synchronized int injected() {
        return this.injected;
    }

    /**
     * The fault for a request an attempt sends, if any; counts it.
     * @param client the client the request retries under, or {@code null} if unknown
     * @return the fault, or {@code null} to send the request as it is
     */
    synchronized @Nullable Fault next(@Nullable String client) {
        for (Iterator<Rule> it = this.rules.iterator(); it.hasNext();) {
            Rule rule = it.next();
            if (rule.client != null && !rule.client.equals(client)) {
                continue;
            }
            if (rule.remaining > 0) {
                if (--rule.remaining == 0) {
                    it.remove();
                }
            }
            else if (rule.share < 1.0 && this.random.nextDouble() >= rule.share) {
                continue;
            }
            this.injected++;
            return rule.fault;
        }
        return null;
    }

    private synchronized void add(Rule rule) {
        this.rules.add(rule);
    }

    @Override
    public synchronized String toString() {
        return "FaultInjector" + this.rules;
    }

    /** What a fault does to a request. */
    sealed interface Fault {

        /** Answers with this status and these headers, and no body, without sending the request. */
        record Respond(int status, List<String> headers) implements Fault {
        }

        /** Fails as a connection the server refused: the request was never sent. */
        record RefuseConnection() implements Fault {
        }

        /** Fails as a connection reset after the request was sent: it may have reached the server. */
        record Reset() implements Fault {
        }

        /** Sends the request after a delay, as a slow network or server would answer late. */
        record Late(Duration delay) implements Fault {
        }
    }

    private static final class Rule {

        final @Nullable String client;

        /** How many requests are left for a rule of the next N; 0 for a share. */
        int remaining;

        final double share;

        final Fault fault;

        Rule(@Nullable String client, int remaining, double share, Fault fault) {
            this.client = client;
            this.remaining = remaining;
            this.share = share;
            this.fault = fault;
        }

        @Override
        public String toString() {
            return ((this.client != null) ? this.client : "every client") + ": "
                    + ((this.remaining > 0) ? "next " + this.remaining : "share " + this.share) + " " + this.fault;
        }
    }

    /** The requests of one client, or of every client, that a fault applies to. */
    public final class Target {

        private final @Nullable String client;

        Target(@Nullable String client) {
            this.client = client;
        }

        /**
         * The next requests, then no more.
         * @param count how many, at least 1
         * @return what happens to them
         */
        public Requests next(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("A fault applies to at least one request, not " + count);
            }
            return new Requests(this.client, count, 1.0);
        }

        /**
         * A share of the requests, each drawn at random, until the fault is cleared.
         * @param share between 0 (excluded) and 1 (every request)
         * @return what happens to them
         */
        public Requests share(double share) {
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException("A share is above 0 and at most 1, not " + share);
            }
            return new Requests(this.client, 0, share);
        }

        /**
         * Every request, until the fault is cleared.
         * @return what happens to them
         */
        public Requests always() {
            return share(1.0);
        }
    }

    /** What happens to the requests a fault applies to. */
    public final class Requests {

        private final @Nullable String client;

        private final int count;

        private final double share;

        Requests(@Nullable String client, int count, double share) {
            this.client = client;
            this.count = count;
            this.share = share;
        }

        /**
         * They are answered with this status and these headers, and no body; the server never sees them.
         * @param status the status, such as 503
         * @param headerNamesAndValues header names and values, in turn: {@code "Retry-After", "1"}
         */
        public void respond(int status, String... headerNamesAndValues) {
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("A status is between 100 and 599, not " + status);
            }
            if (headerNamesAndValues.length % 2 != 0) {
                throw new IllegalArgumentException("Headers come in name and value pairs: " + List.of(headerNamesAndValues));
            }
            add(new Fault.Respond(status, List.of(headerNamesAndValues)));
        }

        /** Their connection is refused: they were never sent (a POST is retried too). */
        public void refuseConnection() {
            add(new Fault.RefuseConnection());
        }

        /** Their connection is reset once they were sent: they may have reached the server (a POST is not retried). */
        public void reset() {
            add(new Fault.Reset());
        }

        /**
         * They are sent after this delay, so their answer comes late (an attempt timeout shorter than
         * the delay cuts them, as it would a slow server).
         * @param delay how late, positive
         */
        public void answerLate(Duration delay) {
            if (delay.isNegative() || delay.isZero()) {
                throw new IllegalArgumentException("A delay is positive, not " + delay);
            }
            add(new Fault.Late(delay));
        }

        private void add(Fault fault) {
            FaultInjector.this.add(new Rule(this.client, this.count, this.share, fault));
        }
    }
}
