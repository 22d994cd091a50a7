package dev.httpretry.testing;

import java.util.SplittableRandom;

/**
 * Request bodies of arbitrary bytes for tests that check a body arrives byte for byte.
 */
public final class RandomBytes {

    private RandomBytes() {
    }

    /** {@code length} pseudo-random bytes, the same for the same length. */
    public static byte[] of(int length) {
        byte[] bytes = new byte[length];
        new SplittableRandom(length).nextBytes(bytes);
        return bytes;
    }
}
