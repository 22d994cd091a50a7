package dev.httpretry.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The answer to an attempt's outcome: retry after a delay, stop for a reason, or, for a copy of a
 * hedged call, let the other copies go on ({@link RetryExecution}; {@link RetryPolicy#decide} gives the first two).
 */
public sealed interface RetryDecision {

    /**
     * The category of the outcome the decision was made on.
     * @return the category
     */
    Category category();

    /**
     * Send another attempt after waiting.
     * @param category the category of the outcome that is retried
     * @param delay how long to wait first, zero or positive
     * @param source whether the delay came from backoff or from {@code Retry-After}
     */
    record Retry(Category category, Duration delay, DelaySource source) implements RetryDecision {

        /** Checks the arguments. */
        public Retry {
            Objects.requireNonNull(category, "category");
            Objects.requireNonNull(source, "source");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("Invalid delay (" + delay + "): must be zero or positive");
            }
        }
    }

    /**
     * This copy of a hedged call failed in a way that would be retried while other copies are still in
     * flight: release it, send nothing, and let the others go on (no wait is told for it).
     * @param category the category of the copy's outcome
     */
    record OthersGoOn(Category category) implements RetryDecision {

        /** Checks the argument. */
        public OthersGoOn {
            Objects.requireNonNull(category, "category");
        }
    }

    /**
     * Make no further attempt: the last outcome goes to the caller as it is.
     * @param category the category of the last outcome
     * @param reason why
     */
    record Stop(Category category, StopReason reason) implements RetryDecision {

        /** Checks the arguments. */
        public Stop {
            Objects.requireNonNull(category, "category");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
