package dev.httpretry.benchmarks.soak;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * Listens to the logs while the soak runs: Netty's leak detector, whose {@code LEAK:} reports are
 * how an unreleased buffer shows, and every WARN or ERROR event, which a clean run has none of.
 */
final class SoakLogs {

    private static final String LEAK_LOGGER = "io.netty.util.ResourceLeakDetector";

    private final ListAppender<ILoggingEvent> leaks = new ListAppender<>();

    private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();

    /** Starts listening; {@link #detach()} stops. */
    void attach() {
        this.leaks.start();
        logger(LEAK_LOGGER).addAppender(this.leaks);
        ThresholdFilter warnOrAbove = new ThresholdFilter();
        warnOrAbove.setLevel(Level.WARN.toString());
        warnOrAbove.start();
        this.warnings.addFilter(warnOrAbove);
        this.warnings.start();
        logger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(this.warnings);
    }

    /** Stops listening. */
    void detach() {
        logger(LEAK_LOGGER).detachAppender(this.leaks);
        logger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(this.warnings);
    }

    /**
     * The WARN and ERROR events so far, grouped by level, logger and the shape of the message's first line.
     * @return the counts
     */
    Map<String, Long> warningsByLogger() {
        Map<String, Long> warningsByLogger = new TreeMap<>();
        synchronized (this.warnings) {
            for (ILoggingEvent event : List.copyOf(this.warnings.list)) {
                warningsByLogger.merge(event.getLevel() + " " + event.getLoggerName() + ": " + firstLine(event.getFormattedMessage()), 1L,
                        Long::sum);
            }
        }
        return warningsByLogger;
    }

    /**
     * The leak detector's {@code LEAK:} reports so far.
     * @return the count
     */
    long leakReports() {
        synchronized (this.leaks) {
            return this.leaks.list.stream().filter((event) -> event.getFormattedMessage().contains("LEAK:")).count();
        }
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        String line = (newline < 0) ? message : message.substring(0, newline);
        // connection ids and ports vary from event to event; group by the message's shape
        return line.replaceAll("\\[[0-9a-f]{8}[^\\]]*\\]", "[id]").replaceAll("\\d+", "N");
    }

    private static Logger logger(String name) {
        return (Logger) LoggerFactory.getLogger(name);
    }
}
