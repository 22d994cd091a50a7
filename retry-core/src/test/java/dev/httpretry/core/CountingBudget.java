package dev.httpretry.core;

/** A budget that grants or refuses as told, and counts what it was asked. */
final class CountingBudget implements RetryBudget {

    private final boolean grant;

    int firstAttempts;

    int acquireCalls;

    CountingBudget(boolean grant) {
        this.grant = grant;
    }

    @Override
    public void recordFirstAttempt() {
        firstAttempts++;
    }

    @Override
    public boolean tryAcquireRetry() {
        acquireCalls++;
        return grant;
    }

    @Override
    public long available() {
        return grant ? Long.MAX_VALUE : 0;
    }
}
