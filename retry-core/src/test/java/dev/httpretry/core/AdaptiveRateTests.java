package dev.httpretry.core;

import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A destination's learned send rate, on a clock the test moves: nothing waits until the first
 * pushback, a pushback cuts the rate once per round, turns are spaced by the rate and never taken
 * past the caller's deadline, and, over simulated destinations of random capacity and demand, the rate
 * stays above its floor and within twice what is sent, settles near the capacity under overload, and
 * climbs back to the demand once the destination heals.
 */
class AdaptiveRateTests {

    private static final long MS = 1_000_000L;

    private static final long SECOND = 1_000 * MS;

    private final AtomicLong now = new AtomicLong(7 * SECOND);

    private final AdaptiveRate rate = new AdaptiveRate(this.now::get);

    @Test
    void nothingWaitsUntilTheFirstPushback() {
        for (int i = 0; i < 1_000; i++) {
            assertThat(this.rate.reserve(SECOND)).isZero();
        }
        assertThat(this.rate.rate()).isInfinite();
        assertThat(this.rate.tryReserveNow()).isTrue();
    }

    @Test
    void aPushbackToAClientsFirstFewRequestsCutsFromWhatTheyWereSentAtNotToTheFloor() {
        // a client just started: five requests at once, the first answer a 429
        for (int i = 0; i < 5; i++) {
            assertThat(this.rate.reserve(SECOND)).isZero();
        }
        this.now.addAndGet(2 * MS);
        this.rate.onPushback(this.rate.generation());
        // five in the first period, over at least a fifth of it (100 ms): 50 per second, cut to 35
        assertThat(this.rate.rate()).isCloseTo(35, within(0.01));
    }

    @Test
    void aPushbackCutsTheRateToBetaOfWhatWasSentAndTurnsAreSpacedByIt() {
        sendEvenly(100, SECOND);  // 100 per second for a second
        this.rate.onPushback(this.rate.generation());

        double cut = this.rate.rate();
        assertThat(cut).isCloseTo(70, within(2.0));
        long interval = (long) Math.ceil(SECOND / cut);
        long burst = (long) (AdaptiveRate.BURST_SECONDS * SECOND);
        for (int turn = 0; turn < 10; turn++) {
            assertThat(this.rate.reserve(SECOND)).as("turn %d", turn).isEqualTo(Math.max(0, turn * interval - burst));
        }
    }

    @Test
    void pushbacksInARowCutOnceAndThoseToAttemptsSentBeforeTheCutAreIgnored() {
        sendEvenly(100, SECOND);
        int before = this.rate.generation();
        this.rate.onPushback(before);
        double cut = this.rate.rate();
        for (int i = 0; i < 50; i++) {
            this.rate.onPushback(before);
        }
        assertThat(this.rate.rate()).as("pushbacks to attempts sent before the cut").isEqualTo(cut);
        for (int i = 0; i < 50; i++) {
            this.rate.onPushback(this.rate.generation());
        }
        assertThat(this.rate.rate()).as("a round of pushbacks cuts from what went out, not 0.7 to the 50th")
            .isCloseTo(cut, within(2.0));
    }

    @Test
    void aTurnPastTheDeadlineIsRefusedAndTakesNothing() {
        sendEvenly(10, SECOND);
        this.rate.onPushback(this.rate.generation());
        assertThat(this.rate.reserve(SECOND)).isZero();
        long next = this.rate.reserve(10 * SECOND);
        long interval = (long) Math.ceil(SECOND / this.rate.rate());
        assertThat(next).as("one interval, less the burst's 20 ms").isEqualTo(interval - 20 * MS);
        assertThat(this.rate.reserve(next)).as("due at the deadline itself").isEqualTo(-1);
        assertThat(this.rate.tryReserveNow()).as("a hedge never waits").isFalse();
        assertThat(this.rate.reserve(10 * SECOND)).as("the refused turn was not taken").isGreaterThan(next);
    }

    @Test
    void answersLetTheRateClimbBackToTheLastCutAndBeyond() {
        sendEvenly(100, SECOND);
        this.rate.onPushback(this.rate.generation());
        double lastMax = 100;
        double recovery = Math.cbrt(lastMax * (1 - AdaptiveRate.BETA) / AdaptiveRate.SCALE);
        // keep sending at 100 per second, answered, until the curve is back at the last maximum
        sendEvenly(100, (long) (recovery * SECOND));
        this.rate.onAnswer();
        assertThat(this.rate.rate()).isCloseTo(lastMax, within(5.0));
        sendEvenly(100, 2 * SECOND);
        this.rate.onAnswer();
        assertThat(this.rate.rate()).isGreaterThan(lastMax);
    }

    @Test
    void anIdleSpellKeepsTheRateTheDestinationLastTook() {
        sendEvenly(100, SECOND);
        this.rate.onPushback(this.rate.generation());
        sendEvenly(70, 20 * SECOND);
        this.rate.onAnswer();
        double learned = this.rate.rate();
        assertThat(learned).isGreaterThan(70);
        // a quiet minute, one call a second: its answers do not cut the rate to twice the trickle
        for (int i = 0; i < 60; i++) {
            this.now.addAndGet(SECOND);
            this.rate.reserve(Long.MAX_VALUE);
            this.rate.onAnswer();
        }
        assertThat(this.rate.measuredRate()).isLessThan(2);
        assertThat(this.rate.rate()).isGreaterThanOrEqualTo(learned);
        // a pushback still cuts it
        this.rate.onPushback(this.rate.generation());
        assertThat(this.rate.rate()).isLessThan(learned);
    }

    @Test
    void aPushbackWhileCallersQueueCutsFromTheRateNotFromAMeasurementOverAQuietSpell() {
        sendEvenly(100, SECOND);
        this.rate.onPushback(this.rate.generation());
        sendEvenly(70, 20 * SECOND);
        this.rate.onAnswer();
        double learned = this.rate.rate();
        // two quiet seconds, then a crowd of 50 queues for turns, and the first answer is a 429
        this.now.addAndGet(2 * SECOND);
        for (int i = 0; i < 50; i++) {
            this.rate.reserve(Long.MAX_VALUE);
        }
        this.now.addAndGet(MS);
        this.rate.onPushback(this.rate.generation());
        assertThat(this.rate.rate()).isCloseTo(AdaptiveRate.BETA * learned, within(0.01 * learned));
    }

    @Test
    void theRateNeverFallsBelowItsFloor() {
        for (int i = 0; i < 100; i++) {
            this.now.addAndGet(SECOND);
            this.rate.reserve(Long.MAX_VALUE);
            this.rate.onPushback(this.rate.generation());
        }
        assertThat(this.rate.rate()).isEqualTo(AdaptiveRate.MIN_RATE);
    }

    /** Sends {@code perSecond} attempts a second, answered, for {@code nanos}. */
    private void sendEvenly(int perSecond, long nanos) {
        long step = SECOND / perSecond;
        for (long t = 0; t < nanos; t += step) {
            this.now.addAndGet(step);
            long wait = this.rate.reserve(Long.MAX_VALUE);
            if (wait > 0) {
                this.now.addAndGet(wait);
                this.rate.sent();
            }
        }
    }

    @Test
    void overSimulatedDestinationsTheRateSettlesNearCapacityAndRecoversAfterHealing() {
        SplittableRandom seeds = new SplittableRandom(20261206);
        for (int run = 0; run < 12; run++) {
            int capacity = seeds.nextInt(5, 200);
            int demand = capacity * seeds.nextInt(2, 5);
            Simulation sim = new Simulation(capacity, demand, seeds.nextLong());
            sim.run(40 * SECOND);
            String which = "capacity " + capacity + "/s, demand " + demand + "/s";
            assertThat(sim.lowest).as("floor, " + which).isGreaterThanOrEqualTo(AdaptiveRate.MIN_RATE);
            assertThat(sim.aboveTwiceSent).as("never above twice the rate sent, " + which).isZero();
            // overloaded: what goes out in the last 10 s is near what the destination takes
            double sent = sim.sentBetween(30 * SECOND, 40 * SECOND) / 10.0;
            assertThat(sent).as("sent per second under overload, " + which).isBetween(0.5 * capacity, 1.6 * capacity);
            // healed: the rate climbs back to the demand
            sim.capacity = Integer.MAX_VALUE;
            sim.run(40 * SECOND);
            double after = sim.sentBetween(70 * SECOND, 80 * SECOND) / 10.0;
            assertThat(after).as("sent per second after healing, " + which).isGreaterThan(0.9 * demand);
        }
    }

    /**
     * Callers arriving at random at {@code demand} per second, each taking a turn and sending then; a
     * destination that pushes back on any send beyond {@code capacity} in the last second.
     */
    private static final class Simulation {

        final AtomicLong clock = new AtomicLong();

        final AdaptiveRate rate = new AdaptiveRate(this.clock::get);

        final SplittableRandom random;

        final int demand;

        int capacity;

        /** Sends due: time, then generation, in order of time. */
        final PriorityQueue<long[]> due = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));

        final ArrayDeque<Long> lastSecond = new ArrayDeque<>();

        final ArrayDeque<Long> sent = new ArrayDeque<>();

        double lowest = Double.MAX_VALUE;

        int aboveTwiceSent;

        double before;

        Simulation(int capacity, int demand, long seed) {
            this.capacity = capacity;
            this.demand = demand;
            this.random = new SplittableRandom(seed);
        }

        void run(long nanos) {
            long end = this.clock.get() + nanos;
            long nextArrival = this.clock.get();
            while (this.clock.get() < end) {
                long nextDue = this.due.isEmpty() ? Long.MAX_VALUE : this.due.peek()[0];
                if (nextArrival <= nextDue) {
                    this.clock.set(nextArrival);
                    // a caller waits at most 5 s for its turn (its deadline), else fails at once
                    long wait = this.rate.reserve(5 * SECOND);
                    if (wait >= 0) {
                        this.due.add(new long[] { nextArrival + wait, this.rate.generation(), (wait > 0) ? 1 : 0 });
                    }
                    nextArrival += (long) (-Math.log(1 - this.random.nextDouble()) * SECOND / this.demand);
                }
                else {
                    long[] send = this.due.poll();
                    this.clock.set(send[0]);
                    if (send[2] == 1) {
                        this.rate.sent();
                    }
                    send[1] = this.rate.generation();
                    this.sent.add(send[0]);
                    while (!this.lastSecond.isEmpty() && this.lastSecond.peekFirst() <= send[0] - SECOND) {
                        this.lastSecond.pollFirst();
                    }
                    this.before = this.rate.rate();
                    if (this.lastSecond.size() >= this.capacity) {
                        this.rate.onPushback((int) send[1]);
                    }
                    else {
                        this.lastSecond.addLast(send[0]);
                        this.rate.onAnswer();
                    }
                    double current = this.rate.rate();
                    if (!Double.isInfinite(current)) {
                        this.lowest = Math.min(this.lowest, current);
                        // an answer raises the rate at most to twice what is measured going out
                        if (current > this.before && current > Math.max(2 * this.rate.measuredRate(), AdaptiveRate.MIN_RATE) * 1.000001) {
                            this.aboveTwiceSent++;
                        }
                    }
                }
            }
        }

        long sentBetween(long from, long to) {
            return this.sent.stream().filter((t) -> t >= from && t < to).count();
        }
    }
}
