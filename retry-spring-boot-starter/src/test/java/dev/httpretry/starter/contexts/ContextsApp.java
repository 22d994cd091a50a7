package dev.httpretry.starter.contexts;

import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.ContextPausedEvent;
import org.springframework.context.event.ContextRestartedEvent;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.registry.HttpServiceGroup;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * A Spring MVC app as users write them: the starter, Boot's RestClient support, and an HTTP service
 * group backed by RestClient. It counts the pauses and restarts of its own context.
 */
@SpringBootApplication
@ImportHttpServices(group = "upstream", types = ContextsApp.UpstreamService.class, clientType = HttpServiceGroup.ClientType.REST_CLIENT)
public class ContextsApp {

    @Bean
    Pauses pauses() {
        return new Pauses();
    }

    /** An HTTP service interface of group {@code upstream}. */
    public interface UpstreamService {

        @GetExchange("/{path}")
        String get(@PathVariable String path);
    }

    /** How often this context was paused and restarted (Spring's test-context cache does both). */
    public static final class Pauses implements ApplicationListener<org.springframework.context.ApplicationEvent> {

        final AtomicInteger paused = new AtomicInteger();

        final AtomicInteger restarted = new AtomicInteger();

        @Override
        public void onApplicationEvent(org.springframework.context.ApplicationEvent event) {
            if (event instanceof ContextPausedEvent) {
                this.paused.incrementAndGet();
            }
            else if (event instanceof ContextRestartedEvent) {
                this.restarted.incrementAndGet();
            }
        }
    }
}
