package dev.httpretry.test;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

/**
 * Scopes the test support to one test method: before it, the {@link RetryRecorder} forgets earlier
 * calls and the {@link FaultInjector} has no fault; after it, the faults it added are removed, so
 * a cached context reused by the next test class starts clean. Touches only a context already
 * loaded, and only when it has the beans.
 */
public final class RetryTestExecutionListener implements TestExecutionListener, Ordered {

    @Override
    public void beforeTestMethod(TestContext testContext) {
        ApplicationContext context = loaded(testContext);
        if (context != null) {
            context.getBeanProvider(RetryRecorder.class).ifAvailable(RetryRecorder::clear);
            context.getBeanProvider(FaultInjector.class).ifAvailable(FaultInjector::clear);
        }
    }

    @Override
    public void afterTestMethod(TestContext testContext) {
        ApplicationContext context = loaded(testContext);
        if (context != null) {
            context.getBeanProvider(FaultInjector.class).ifAvailable(FaultInjector::clear);
        }
    }

    private static @Nullable ApplicationContext loaded(TestContext testContext) {
        return testContext.hasApplicationContext() ? testContext.getApplicationContext() : null;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
