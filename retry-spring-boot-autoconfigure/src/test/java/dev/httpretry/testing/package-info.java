/**
 * Test fixtures shared by the tests of every package of this module: scripted servers, the
 * WebClient harness, recording listeners and schedulers, leak watching, loopback ports and
 * failure analysis as Boot runs it. Test code only.
 */
package dev.httpretry.testing;
