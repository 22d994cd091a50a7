package dev.httpretry.core;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The send rate one destination is given ({@code adaptive.enabled}): turns spaced at a rate, with a
 * little room for bursts (the generic cell rate algorithm, a token bucket in other words), whose rate
 * follows CUBIC congestion control, as the AWS SDKs' adaptive retry mode does. Nothing is limited
 * until the destination first pushes back; then each pushback (a 429 or 503, or any answer with
 * {@code Retry-After} or rate-limit headers) cuts the rate to {@value #BETA} of what was being sent,
 * and every other answer lets it climb back along a cubic curve that returns to the rate of the last
 * cut after a while and probes above it, never to more than twice the rate measured going out, never
 * below {@value #MIN_RATE} per second. Only a pushback lowers the rate: a client that sent little for
 * a while (an idle spell, a quiet hour) keeps the rate its destination last took, rather than
 * starting its next burst at twice what trickled out meanwhile.
 *
 * <p>An attempt takes its turn with {@link #reserve(long)}: the wait until its token is due, so that a
 * caller waits without holding a thread and later callers queue behind it. As in TCP, one round of
 * pushbacks cuts once: a pushback to an attempt sent before the last cut ({@link #generation()})
 * carries no news and is ignored, so a burst of rejections does not collapse the rate. Thread-safe;
 * every method is short and holds this object's monitor.
 */
public final class AdaptiveRate {

    /** What a pushback keeps of the rate: {@value}. */
    static final double BETA = 0.7;

    /** How fast the rate climbs back (CUBIC's C), in requests per second per second cubed: {@value}. */
    static final double SCALE = 0.4;

    /** The lowest rate, in requests per second: {@value}. */
    public static final double MIN_RATE = 0.5;

    /** How much of the previous measured rate a new measurement keeps: {@value}. */
    static final double SMOOTHING = 0.8;

    /** The fewest attempts of the period under way that tell a burst: {@value}. */
    static final int BURST_MIN_SENDS = 10;

    /** How far turns may run ahead of the rate: {@value} seconds. */
    static final double BURST_SECONDS = 0.02;

    /** The length of one measurement of the send rate: half a second. */
    static final long MEASURE_NANOS = 500_000_000L;

    private static final double NANOS_PER_SECOND = 1e9;

    private final LongSupplier nanoTime;

    /** Whether a pushback has been seen: until then nothing waits. */
    private boolean limiting;

    private double rate = Double.POSITIVE_INFINITY;

    /**
     * When the next turn is due at the current rate, if no burst were allowed (the theoretical arrival
     * time of the generic cell rate algorithm): each turn moves it on by one interval, so a change of
     * rate spaces the turns after it and never bunches those already given.
     */
    private long nextTurn;

    /** The rate at the last pushback, which the cubic curve returns to. */
    private double lastMaxRate;

    private long lastPushbackAt;

    /** How many cuts there have been: the attempts sent since the last one are of this generation. */
    private volatile int generation;

    /** How long, in seconds, the curve takes to return to {@link #lastMaxRate}. */
    private double recoverySeconds;

    private double measuredRate;

    private boolean measured;

    private long measureStart;

    private int measureCount;

    /**
     * A rate that limits nothing until its destination pushes back.
     * @param nanoTime the time source, in nanoseconds (a monotonic one)
     */
    public AdaptiveRate(LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        long now = nanoTime.getAsLong();
        this.nextTurn = now;
        this.measureStart = now;
        this.lastPushbackAt = now;
    }

    /**
     * Takes the turn of an attempt about to be sent: its token, now or when it is due.
     * @param maxWaitNanos the longest the attempt may wait (the time its call has left)
     * @return how long to wait before sending, in nanoseconds ({@code 0} to send now: it is counted as
     *     sent); {@code -1} when the turn would come at or after {@code maxWaitNanos}, and then nothing
     *     is taken. An attempt that waits tells {@link #sent()} when it goes out.
     */
    public synchronized long reserve(long maxWaitNanos) {
        long now = this.nanoTime.getAsLong();
        if (!this.limiting) {
            counted(now);
            return 0;
        }
        long wait = Math.max(0, this.nextTurn - burstNanos() - now);
        if (wait >= maxWaitNanos) {
            return -1;
        }
        this.nextTurn = Math.max(this.nextTurn, now) + intervalNanos();
        if (wait == 0) {
            counted(now);
        }
        return wait;
    }

    /** An attempt that waited for its turn goes out now: it counts in the rate measured going out. */
    public synchronized void sent() {
        counted(this.nanoTime.getAsLong());
    }

    /**
     * Takes a turn only if it is due now, as a hedge does: a hedge never waits.
     * @return {@code true} if the attempt may be sent now
     */
    public synchronized boolean tryReserveNow() {
        long now = this.nanoTime.getAsLong();
        if (this.limiting) {
            if (this.nextTurn - burstNanos() - now > 0) {
                return false;
            }
            this.nextTurn = Math.max(this.nextTurn, now) + intervalNanos();
        }
        counted(now);
        return true;
    }

    /**
     * The cuts so far: an attempt remembers it when sent, and a pushback to it cuts only if no cut
     * came since.
     * @return the generation of attempts sent now
     */
    public int generation() {
        return this.generation;
    }

    /**
     * The destination pushed back (a 429 or 503, {@code Retry-After}, rate-limit headers) on an
     * attempt: the rate is cut, unless it was cut since that attempt was sent.
     * @param sentIn the {@link #generation()} when the attempt was sent
     */
    public synchronized void onPushback(int sentIn) {
        if (this.limiting && sentIn != this.generation) {
            return;
        }
        long now = this.nanoTime.getAsLong();
        // the cut is from what was measured going out, which lags a cut: pushbacks in a row cut to
        // about the same rate instead of compounding, and never raise it; while callers queue for
        // turns, what goes out is the rate itself, whatever a measurement over a quiet spell says
        double sending = sendingRate(now);
        if (this.limiting && this.nextTurn > now) {
            sending = Math.max(sending, this.rate);
        }
        this.lastMaxRate = Math.max(sending, MIN_RATE);
        this.lastPushbackAt = now;
        this.recoverySeconds = Math.cbrt(this.lastMaxRate * (1 - BETA) / SCALE);
        double cut = this.lastMaxRate * BETA;
        if (!this.limiting) {
            this.limiting = true;
            this.nextTurn = now;
            this.rate = cut;
        }
        this.generation++;
        this.rate = capped(Math.min(this.rate, cut), now);
    }

    /**
     * The destination answered without pushing back: the rate climbs along the curve, as far as twice
     * the rate measured going out, and never falls.
     */
    public synchronized void onAnswer() {
        if (!this.limiting) {
            return;
        }
        long now = this.nanoTime.getAsLong();
        double t = (now - this.lastPushbackAt) / NANOS_PER_SECOND - this.recoverySeconds;
        this.rate = Math.max(this.rate, capped(SCALE * t * t * t + this.lastMaxRate, now));
    }

    /**
     * The rate attempts are given now.
     * @return requests per second; {@link Double#POSITIVE_INFINITY} until the destination first pushes back
     */
    public synchronized double rate() {
        return this.limiting ? this.rate : Double.POSITIVE_INFINITY;
    }

    /**
     * The rate attempts were sent at, smoothed over the last measurements.
     * @return requests per second
     */
    public synchronized double measuredRate() {
        return sendingRate(this.nanoTime.getAsLong());
    }

    /**
     * The rate attempts go out at: the smoothed measurement, or, when the period under way shows
     * more, that period's rate so far, over at least a fifth of a period: in a burst, once it counts
     * {@value #BURST_MIN_SENDS} attempts; in the first period, from its first attempt, so that a
     * destination that pushes back on a client's first few requests cuts from what they were sent
     * at, not from nothing to the floor.
     */
    private double sendingRate(long now) {
        measure(now);
        if (this.measured && this.measureCount < BURST_MIN_SENDS) {
            return this.measuredRate;
        }
        double partial = this.measureCount / (Math.max(now - this.measureStart, MEASURE_NANOS / 5) / NANOS_PER_SECOND);
        return Math.max(this.measuredRate, partial);
    }

    /** {@code wanted}, but never above twice the rate measured going out, never below the floor. */
    private double capped(double wanted, long now) {
        double capped = Math.min(wanted, 2 * sendingRate(now));
        return Math.max(Double.isNaN(capped) ? MIN_RATE : capped, MIN_RATE);
    }

    /** The time between two turns at the current rate. */
    private long intervalNanos() {
        return (long) Math.ceil(NANOS_PER_SECOND / this.rate);
    }

    /**
     * How far ahead of its pace the destination may be sent to: {@value #BURST_SECONDS} seconds' worth
     * of turns, so that a crowd of callers is spread out rather than let through at once.
     */
    private long burstNanos() {
        return (long) (BURST_SECONDS * NANOS_PER_SECOND);
    }

    private void counted(long now) {
        measure(now);
        this.measureCount++;
    }

    /** Folds the sends of each finished measurement period into the smoothed rate. */
    private void measure(long now) {
        long elapsed = now - this.measureStart;
        if (elapsed < MEASURE_NANOS) {
            return;
        }
        double current = this.measureCount / (elapsed / NANOS_PER_SECOND);
        // the first measurement is taken as it is, not smoothed from nothing
        this.measuredRate = this.measured ? current * (1 - SMOOTHING) + this.measuredRate * SMOOTHING : current;
        this.measured = true;
        this.measureCount = 0;
        this.measureStart = now;
    }

    @Override
    public synchronized String toString() {
        return this.limiting ? String.format("AdaptiveRate[%.2f/s, sending %.2f/s]", this.rate, this.measuredRate)
                : "AdaptiveRate[not limiting]";
    }
}
