package dev.httpretry.autoconfigure;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import dev.httpretry.core.CallEvent;
import dev.httpretry.core.Outcome;
import dev.httpretry.core.StopReason;
import dev.httpretry.testing.RecordingListener;
import dev.httpretry.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What stopping, pausing and closing an application context does to retrying, with WebClient and
 * RestClient from the auto-configured builders against a real server: a stop or pause ends the calls
 * waiting at that moment (reason {@code shutdown}); a context started or restarted afterwards
 * retries exactly as before; a close ends them for good; and two contexts never touch each other's
 * waits.
 */
class LifecycleTests {

    private static final String[] FAST = { "http.retry.backoff.initial-delay=1ms", "http.retry.backoff.max-delay=5ms",
            "http.retry.connection-refused-min-delay=0ms", "http.retry.deadline=2m",
            "spring.http.clients.imperative.factory=reactor" };

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ImperativeHttpClientAutoConfiguration.class, RestClientAutoConfiguration.class,
                WebClientAutoConfiguration.class, HttpRetryAutoConfiguration.class, HttpRetryWebClientAutoConfiguration.class, HttpRetryRestClientAutoConfiguration.class))
        .withBean(RecordingListener.class)
        .withPropertyValues(FAST);

    private final TestServer server = new TestServer();

    @AfterEach
    void close() {
        this.server.close();
    }

    /** Ways a context's lifecycle is interrupted and resumed. */
    enum Interruption {

        STOP_START(ConfigurableApplicationContext::stop, ConfigurableApplicationContext::start),
        PAUSE_RESTART(ConfigurableApplicationContext::pause, ConfigurableApplicationContext::restart);

        final Consumer<ConfigurableApplicationContext> interrupt;

        final Consumer<ConfigurableApplicationContext> resume;

        Interruption(Consumer<ConfigurableApplicationContext> interrupt, Consumer<ConfigurableApplicationContext> resume) {
            this.interrupt = interrupt;
            this.resume = resume;
        }
    }

    /** Clients of both kinds. */
    enum Client {
        WEB_CLIENT, REST_CLIENT
    }

    @ParameterizedTest(name = "{0} with {1}")
    @EnumSource(Interruption.class)
    void aContextThatIsStartedAgainRetriesAsBefore(Interruption interruption) {
        for (Client client : Client.values()) {
            this.runner.run((context) -> {
                interruption.interrupt.accept(context);
                interruption.resume.accept(context);
                interruption.interrupt.accept(context);
                interruption.resume.accept(context);
                this.server.then(status(503), status(503), status(200).body("third"));
                int before = this.server.requests();

                assertThat(call(context, client)).isEqualTo("third");

                assertThat(this.server.requests() - before).as(client + " after " + interruption).isEqualTo(3);
                assertThat(context.getBean(RecordingListener.class).onlyCall().reason()).isEqualTo(StopReason.NONE);
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Interruption.class)
    void interruptingEndsTheCallsWaitingThenAndTheDecisionSaysWhatTheCallerGot(Interruption interruption) {
        this.server.otherwise(status(503).header("Retry-After", "50"));
        this.runner.run((context) -> {
            AtomicReference<Throwable> ended = new AtomicReference<>();
            WebClient client = context.getBean(WebClient.Builder.class).baseUrl(this.server.url()).build();
            client.get().retrieve().toBodilessEntity().subscribe(null, ended::set);
            RecordingListener listener = context.getBean(RecordingListener.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.backoffs.size() == 1);

            interruption.interrupt.accept(context);

            await().atMost(Duration.ofSeconds(5)).until(() -> ended.get() != null);
            assertThat(ended.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("shutting down");
            CallEvent end = listener.onlyCall();
            assertThat(end.reason()).isEqualTo(StopReason.SHUTDOWN);
            assertThat(end.lastOutcome()).isEqualTo(Outcome.failure(ended.get()));
            assertThat(this.server.requests()).isEqualTo(1);
            interruption.resume.accept(context);
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void closingOneContextEndsOnlyItsOwnWaits(Client kind) throws Exception {
        this.server.otherwise(status(503).header("Retry-After", "50"));
        AtomicReference<Throwable> inClosed = new AtomicReference<>();
        AtomicReference<Throwable> inOther = new AtomicReference<>();
        this.runner.run((other) -> {
            this.runner.run((closed) -> {
                waitInBackground(closed, kind, inClosed);
                waitInBackground(other, kind, inOther);
                await().atMost(Duration.ofSeconds(5)).until(() -> closed.getBean(RecordingListener.class).backoffs.size() == 1
                        && other.getBean(RecordingListener.class).backoffs.size() == 1);
                closed.close();
                await().atMost(Duration.ofSeconds(5)).until(() -> inClosed.get() != null);
                assertThat(inClosed.get()).hasMessageContaining("shutting down");
                assertThat(inOther.get()).as("the other context's call still waits").isNull();
                assertThat(other.getBean(RecordingListener.class).calls).isEmpty();
            });
            other.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> inOther.get() != null);
        });
        assertThat(this.server.requests()).isEqualTo(2);
    }

    private String call(AssertableApplicationContext context, Client client) {
        if (client == Client.WEB_CLIENT) {
            return context.getBean(WebClient.Builder.class).baseUrl(this.server.url()).build().get().retrieve()
                .bodyToMono(String.class).block(Duration.ofSeconds(10));
        }
        return context.getBean(RestClient.Builder.class).baseUrl(this.server.url()).build().get().retrieve().body(String.class);
    }

    /** Starts a call that will wait on its Retry-After; its error, when it ends, goes to {@code ended}. */
    private void waitInBackground(AssertableApplicationContext context, Client client, AtomicReference<Throwable> ended) {
        Thread thread = new Thread(() -> {
            try {
                call(context, client);
            }
            catch (RuntimeException ex) {
                ended.set(ex);
            }
        });
        thread.setDaemon(true);
        thread.start();
    }
}
