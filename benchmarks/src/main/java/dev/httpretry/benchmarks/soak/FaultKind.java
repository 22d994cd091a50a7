package dev.httpretry.benchmarks.soak;

/** What the chaos soak did to one attempt: the server's answers, and the client's refused connections. */
public enum FaultKind {

    /** {@code 200} with a body that names the call. */
    OK("200 ok"),

    /** {@code 503} with a body. */
    UNAVAILABLE("503"),

    /** {@code 429} with {@code Retry-After: 0} or {@code 1} (delta-seconds). */
    RATE_LIMITED_DELTA("429, Retry-After 0|1 s"),

    /** {@code 429} with {@code Retry-After} as an HTTP-date one to two seconds ahead. */
    RATE_LIMITED_DATE("429, Retry-After HTTP-date"),

    /** Headers ({@code 200} or {@code 503}) and part of the announced body, then the channel is closed. */
    RESET_MID_RESPONSE("reset mid-body (200|503)"),

    /** The request is read, then the channel is closed before any response. */
    CLOSED_BEFORE_HEADERS("closed before headers"),

    /** {@code 200}, but only after 400 to 600 ms: past the attempt timeout. */
    SLOW("slow (400-600 ms)"),

    /**
     * {@code 200} after 195 to 200 ms, so that with the time on the wire it comes about when the attempt timeout (200 ms) fires, so the
     * timeout's cancel and the response race.
     */
    AT_TIMEOUT("at the attempt timeout (195-200 ms)"),

    /** {@code 503} with half its body, then a pause of 1.5 s (longer than a retried body is drained), then the rest. */
    STALLED_BODY("503, body stalls 1.5 s"),

    /** {@code 503} with a chunked body that does not end (512 bytes every 5 ms, for 5 s). */
    ENDLESS_BODY("503, body never ends"),

    /** {@code 503}, and the call's next request is closed before any response. */
    UNAVAILABLE_THEN_CLOSED("503, then closed before headers"),

    /** Client side: the attempt is sent to a port where nothing listens, so it never reaches the server. */
    REFUSED("refused (client side)");

    private final String label;

    FaultKind(String label) {
        this.label = label;
    }

    /**
     * How the summary table names this fault.
     * @return a short label
     */
    public String label() {
        return this.label;
    }
}
