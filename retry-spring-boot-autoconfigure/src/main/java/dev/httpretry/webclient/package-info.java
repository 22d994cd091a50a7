/**
 * Runtime pieces of retrying {@code WebClient} calls, independent of how they are configured: a
 * request body that can be sent more than once.
 */
@NullMarked
package dev.httpretry.webclient;

import org.jspecify.annotations.NullMarked;
