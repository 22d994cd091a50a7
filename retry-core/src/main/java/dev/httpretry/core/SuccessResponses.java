package dev.httpretry.core;

/** The 2xx responses without headers, made once: a call that succeeds at once tells its listeners without allocating one. */
final class SuccessResponses {

    /** Statuses 200 to 299, by status - 200. */
    static final Outcome.Response[] ALL = new Outcome.Response[100];

    static {
        for (int i = 0; i < ALL.length; i++) {
            ALL[i] = new Outcome.Response(200 + i, null);
        }
    }

    private SuccessResponses() {
    }
}
