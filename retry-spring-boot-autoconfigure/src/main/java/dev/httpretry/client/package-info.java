/**
 * What the WebClient and RestClient adapters share: the waits of one application, which its
 * lifecycle stops and starts.
 */
@NullMarked
package dev.httpretry.client;

import org.jspecify.annotations.NullMarked;
