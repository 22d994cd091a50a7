/**
 * Test support for applications that use http-retry: waits skipped while every decision stays the
 * one real time would make, a {@link dev.httpretry.test.RetryRecorder} of each call, and a
 * {@link dev.httpretry.test.FaultInjector} that makes requests fail below the retry layer. For the
 * test scope only.
 */
@NullMarked
package dev.httpretry.test;

import org.jspecify.annotations.NullMarked;
