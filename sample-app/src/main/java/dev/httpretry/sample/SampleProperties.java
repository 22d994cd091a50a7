package dev.httpretry.sample;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The sample's own settings, under {@code sample}.
 *
 * @param upstream the misbehaving upstream
 * @param demo the demonstration run at start-up and by {@code GET /demo}
 */
@ConfigurationProperties("sample")
public record SampleProperties(@DefaultValue Upstream upstream, @DefaultValue Demo demo) {

    /**
     * The misbehaving upstream.
     *
     * @param seed seed of the random generator that decides which requests fail
     * @param port the port of the upstream's own server in the {@code mvc} profile (the WebFlux app
     * serves it itself, on {@code server.port})
     */
    public record Upstream(@DefaultValue("42") long seed, @DefaultValue("8081") int port) {
    }

    /**
     * The demonstration's defaults; {@code GET /demo} request parameters override them.
     *
     * @param onStartup whether the demonstration runs once the app has started
     * @param calls calls per client
     * @param concurrency calls in flight at once
     * @param progressEvery log a progress line after this many calls
     * @param fail probability that an upstream request misbehaves, 0 to 1
     * @param mode how a misbehaving request fails: error, rate-limit, drop, slow or mixed
     * @param status the status of a failing request in mode error
     * @param retryAfter the Retry-After of a 429, in seconds
     * @param retryAfterFormat how Retry-After is written: seconds or date
     * @param delayMs how long every upstream response waits before it is sent
     * @param slowMs how long a slow response hangs before its 200
     */
    public record Demo(@DefaultValue("true") boolean onStartup, @DefaultValue("200") int calls,
            @DefaultValue("10") int concurrency, @DefaultValue("50") int progressEvery,
            @DefaultValue("0.3") double fail, @DefaultValue("mixed") Scenario.Mode mode, @DefaultValue("503") int status,
            @DefaultValue("1") int retryAfter, @DefaultValue("seconds") Scenario.RetryAfterFormat retryAfterFormat,
            @DefaultValue("0") long delayMs, @DefaultValue("2000") long slowMs) {

        /**
         * The demonstration these settings describe.
         * @return the request
         * @throws IllegalArgumentException if a value is out of range
         */
        public DemoRequest toRequest() {
            return new DemoRequest(this.calls, this.concurrency,
                    new Scenario(this.fail, this.mode, this.status, this.retryAfter, this.retryAfterFormat, this.delayMs,
                            this.slowMs));
        }
    }
}
