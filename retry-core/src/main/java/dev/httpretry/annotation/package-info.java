/**
 * Annotations for HTTP service interfaces: {@link dev.httpretry.annotation.HttpRetry} says how the calls of
 * an interface, or of one of its methods, are retried.
 */
@NullMarked
package dev.httpretry.annotation;

import org.jspecify.annotations.NullMarked;
