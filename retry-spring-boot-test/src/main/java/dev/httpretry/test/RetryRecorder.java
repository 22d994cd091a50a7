package dev.httpretry.test;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import dev.httpretry.core.RetryListener;

/**
 * Records each call that a retrying client makes (WebClient, RestClient and HTTP service groups
 * alike): its client, method, URI, attempts, waits and stop reason ({@link RecordedCall}), for a
 * test to assert on. A bean of the test support's auto-configuration, cleared before each test
 * method; it keeps the last {@value #MAX_CALLS} calls.
 *
 * <pre class="code">
 * recorder.lastCall("payments").check()
 *     .attempts(3)
 *     .waited(Duration.ofSeconds(1), DelaySource.RETRY_AFTER)
 *     .ended(StopReason.NONE);
 * </pre>
 *
 * <p>A call is recorded from its start; by the time a caller gets its response or its exception,
 * the call has ended and its stop reason is there. Thread-safe.
 */
public final class RetryRecorder implements RetryListener {

    /** How many calls are kept; the oldest are dropped beyond this. */
    public static final int MAX_CALLS = 10_000;

    private final Deque<RecordedCall> calls = new ArrayDeque<>();

    @Override
    public RetryListener forCall(String client, String method, URI uri) {
        RecordedCall call = new RecordedCall(client, method, uri);
        synchronized (this.calls) {
            if (this.calls.size() == MAX_CALLS) {
                this.calls.removeFirst();
            }
            this.calls.addLast(call);
        }
        return call.listener();
    }

    /**
     * Every call recorded since the last {@link #clear()}.
     * @return the calls, in the order they started
     */
    public List<RecordedCall> calls() {
        synchronized (this.calls) {
            return List.copyOf(this.calls);
        }
    }

    /**
     * The calls of one client.
     * @param client the client's name ({@code default} for calls through the auto-configured builder)
     * @return its calls, in the order they started
     */
    public List<RecordedCall> calls(String client) {
        return calls().stream().filter((call) -> call.client().equals(client)).toList();
    }

    /**
     * The call that started last.
     * @return the call
     * @throws AssertionError if no call was recorded
     */
    public RecordedCall lastCall() {
        synchronized (this.calls) {
            if (this.calls.isEmpty()) {
                throw new AssertionError("No retrying client made a call");
            }
            return this.calls.getLast();
        }
    }

    /**
     * The call of one client that started last.
     * @param client the client's name
     * @return the call
     * @throws AssertionError if that client made no call
     */
    public RecordedCall lastCall(String client) {
        List<RecordedCall> ofClient = calls(client);
        if (ofClient.isEmpty()) {
            throw new AssertionError("Client '" + client + "' made no call; the calls were " + calls());
        }
        return ofClient.get(ofClient.size() - 1);
    }

    /** Forgets every call; the test support does it before each test method. */
    public void clear() {
        synchronized (this.calls) {
            this.calls.clear();
        }
    }

    @Override
    public String toString() {
        return "RetryRecorder" + calls();
    }
}
