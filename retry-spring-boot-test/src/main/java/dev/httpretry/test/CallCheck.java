package dev.httpretry.test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.httpretry.core.DelaySource;
import dev.httpretry.core.StopReason;

/**
 * Assertions on a {@link RecordedCall}, read like the decision log: how many attempts it made, what
 * they got, what it waited and why, and how it ended. Each throws an {@link AssertionError} that
 * shows the whole call; each returns this, to chain:
 * {@code recorder.lastCall("payments").check().attempts(3).waited(Duration.ofSeconds(1), DelaySource.RETRY_AFTER).ended(StopReason.NONE)}.
 */
public final class CallCheck {

    private final RecordedCall call;

    CallCheck(RecordedCall call) {
        this.call = call;
    }

    /**
     * The call sent this many attempts.
     * @param expected the number of attempts
     * @return this
     */
    public CallCheck attempts(int expected) {
        return expect(this.call.attemptCount() == expected, "made " + expected + " attempts");
    }

    /**
     * The answered attempts got these statuses, in order (attempts that ended in an error are left out).
     * @param expected the statuses
     * @return this
     */
    public CallCheck statuses(Integer... expected) {
        return expect(this.call.statuses().equals(List.of(expected)), "got statuses " + Arrays.toString(expected));
    }

    /**
     * The call waited exactly these lengths, in order, before its attempts after the first.
     * @param expected the waits' lengths
     * @return this
     */
    public CallCheck waits(Duration... expected) {
        List<Duration> lengths = this.call.waits().stream().map(RecordedCall.Wait::length).toList();
        return expect(lengths.equals(List.of(expected)),
                "waited " + Arrays.stream(expected).map(RecordedCall::length).toList());
    }

    /**
     * The waits came from these sources, in order.
     * @param expected the sources
     * @return this
     */
    public CallCheck waitSources(DelaySource... expected) {
        List<DelaySource> sources = this.call.waits().stream().map(RecordedCall.Wait::source).toList();
        return expect(sources.equals(List.of(expected)), "waited for " + Arrays.toString(expected));
    }

    /**
     * One of the waits had this length and source.
     * @param length the wait's length
     * @param source where its length came from
     * @return this
     */
    public CallCheck waited(Duration length, DelaySource source) {
        boolean found = this.call.waits().stream().anyMatch((wait) -> wait.length().equals(length) && wait.source() == source);
        return expect(found, "waited " + RecordedCall.length(length) + " (" + source.tagValue() + ")");
    }

    /**
     * The waits added up to this.
     * @param total the sum of the waits
     * @return this
     */
    public CallCheck waitedInAll(Duration total) {
        return expect(this.call.waited().equals(total), "waited " + RecordedCall.length(total) + " in all");
    }

    /**
     * The call did not wait at all.
     * @return this
     */
    public CallCheck noWait() {
        return expect(this.call.waits().isEmpty(), "waited nothing");
    }

    /**
     * The call has ended, for this reason.
     * @param reason the stop reason ({@link StopReason#NONE} for a success)
     * @return this
     */
    public CallCheck ended(StopReason reason) {
        return expect(Objects.equals(this.call.stopReason(), reason), "ended " + reason.tagValue());
    }

    private CallCheck expect(boolean met, String expectation) {
        if (!met) {
            throw new AssertionError("Expected the call to have " + expectation + ", but it was:\n" + this.call);
        }
        return this;
    }
}
