package dev.httpretry.core;

/** Grants every retry. */
enum UnlimitedRetryBudget implements RetryBudget {

    INSTANCE;

    @Override
    public void recordFirstAttempt() {
    }

    @Override
    public boolean tryAcquireRetry() {
        return true;
    }

    @Override
    public long available() {
        return Long.MAX_VALUE;
    }
}
