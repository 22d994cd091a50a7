package dev.httpretry.core;

import java.util.SplittableRandom;

/**
 * Seeds for the property tests. Each case draws its inputs from its own {@link SplittableRandom},
 * seeded from the run's seed, and every failure message quotes both, so a failing case replays with
 * {@code -Dhttpretry.seed=<run seed>}. Without that property the run seed is fixed, so the build is
 * deterministic.
 */
final class Seeds {

    static final long DEFAULT_SEED = 0x5EED_2024_0001L;

    private Seeds() {
    }

    static long runSeed() {
        String configured = System.getProperty("httpretry.seed");
        return configured == null ? DEFAULT_SEED : Long.decode(configured);
    }

    static String describe(long runSeed, int caseIndex, long caseSeed) {
        return "run seed " + runSeed + " (-Dhttpretry.seed=" + runSeed + "), case " + caseIndex + ", case seed " + caseSeed;
    }
}
