package dev.httpretry.core;

/**
 * Records, as a suppressed exception of the exception that ends a call, an earlier attempt that
 * was answered with a status and retried. It has no stack trace: it marks an answer, not a fault
 * in the code.
 */
public class RetriedResponseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int attempt;

    private final int status;

    /**
     * Creates the record.
     * @param attempt the attempt's number
     * @param status the status it was answered with
     */
    public RetriedResponseException(int attempt, int status) {
        super(null, null, false, false);
        this.attempt = attempt;
        this.status = status;
    }

    /**
     * Says which attempt was answered with which status; made when read, so that a call waiting
     * for its next attempt holds two numbers, not a string.
     * @return "Attempt n was answered with status s and retried"
     */
    @Override
    public String getMessage() {
        return "Attempt " + this.attempt + " was answered with status " + this.status + " and retried";
    }

    /**
     * The attempt's number.
     * @return the number
     */
    public int getAttempt() {
        return this.attempt;
    }

    /**
     * The status it was answered with.
     * @return the status
     */
    public int getStatus() {
        return this.status;
    }
}
