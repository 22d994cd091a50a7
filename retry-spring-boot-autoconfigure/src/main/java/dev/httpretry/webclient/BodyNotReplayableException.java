package dev.httpretry.webclient;

/**
 * A request body was asked to be sent again but cannot be: it was larger than the replay limit,
 * or the attempt that first read it ended before the whole body was read, or it was released.
 * Sending it anyway would send it empty or cut, so the attempt fails with this instead.
 */
public final class BodyNotReplayableException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     * @param message why the body cannot be sent again
     */
    public BodyNotReplayableException(String message) {
        super(message);
    }
}
