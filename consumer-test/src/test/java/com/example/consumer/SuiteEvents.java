package com.example.consumer;

import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextPausedEvent;
import org.springframework.context.event.ContextRestartedEvent;

/** Counts the pauses and restarts of every context of the test run (registered in META-INF/spring.factories). */
public final class SuiteEvents implements ApplicationListener<ApplicationEvent> {

    static final AtomicInteger paused = new AtomicInteger();

    static final AtomicInteger restarted = new AtomicInteger();

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ContextPausedEvent) {
            paused.incrementAndGet();
        }
        else if (event instanceof ContextRestartedEvent) {
            restarted.incrementAndGet();
        }
    }
}
