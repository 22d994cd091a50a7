/**
 * The chaos and leak soak: a fault-injecting server on 127.0.0.1, thousands of calls through the
 * starter's retry filter, and the checks that every call is accounted for, no unsafe POST is sent
 * twice, nothing leaks and the pool drains.
 */
@NullMarked
package dev.httpretry.benchmarks.soak;

import org.jspecify.annotations.NullMarked;
