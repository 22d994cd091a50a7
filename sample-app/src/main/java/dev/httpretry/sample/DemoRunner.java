package dev.httpretry.sample;

import java.time.Duration;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

/**
 * Runs the demonstration once the app has started, logs the table, and leaves the app running.
 * Turned off with {@code sample.demo.on-startup=false}. A demonstration that fails is logged and
 * does not stop the app.
 */
public final class DemoRunner implements ApplicationRunner {

    private static final Logger logger = LoggerFactory.getLogger(DemoRunner.class);

    private static final Duration LONGEST = Duration.ofMinutes(10);

    private final Demo demo;

    private final DemoRequest request;

    /**
     * Creates the runner.
     * @param demo the demonstration
     * @param request what to run
     */
    public DemoRunner(Demo demo, DemoRequest request) {
        this.demo = Objects.requireNonNull(demo, "demo");
        this.request = Objects.requireNonNull(request, "request");
    }

    @Override
    public void run(ApplicationArguments args) {
        logger.info("Start-up demo: the same calls without and with retries against this app's flaky {}",
                FlakyUpstream.PATH);
        DemoReport report;
        try {
            report = this.demo.run(this.request).block(LONGEST);
        }
        catch (RuntimeException ex) {
            logger.warn("The start-up demo failed; the app stays up", ex);
            return;
        }
        if (report != null) {
            String url = this.demo.serverUrl();
            logger.info("Demo results:\n\n{}\nThe app stays up. Run another demo: curl '{}/demo?calls=200&fail=0.5&mode=error&format=text'"
                    + "\nRetry state and meters: {}/actuator/retry, {}/actuator/metrics/http.client.retry.calls, {}/actuator/prometheus",
                    report.table(), url, url, url, url);
        }
    }
}
