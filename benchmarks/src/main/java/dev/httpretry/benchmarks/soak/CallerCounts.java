package dev.httpretry.benchmarks.soak;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The callers' own counts, from their subscriber callbacks. */
final class CallerCounts {

    static final int PENDING = 0;

    static final int SUCCESS = 1;

    static final int FAILURE = 2;

    final LongAdder issued = new LongAdder();

    final LongAdder successes = new LongAdder();

    final LongAdder failures = new LongAdder();

    final LongAdder hung = new LongAdder();

    final LongAdder doubleSignals = new LongAdder();

    final Map<String, LongAdder> failureKinds = new ConcurrentHashMap<>();

    /** The first failure of each kind that no fault explains, with its stack trace. */
    final Map<String, String> unexpected = new ConcurrentHashMap<>();
}
