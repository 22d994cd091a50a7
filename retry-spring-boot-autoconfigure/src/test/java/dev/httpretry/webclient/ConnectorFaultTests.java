package dev.httpretry.webclient;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.AttemptTimeoutException;
import dev.httpretry.core.Category;
import dev.httpretry.core.ClientLibraryExceptionClassifier;
import dev.httpretry.testing.FullAcceptQueue;
import dev.httpretry.testing.Harness;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.ResourceLeakDetector;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.HttpComponentsClientHttpConnector;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.http.client.reactive.JettyClientHttpConnector;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static dev.httpretry.testing.Ports.closedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The transport faults, classified the same on every connector Spring Boot supports for
 * {@code WebClient}, and the one-connection leak test on each. Runs in a JVM of its own (tag
 * {@code connectors}) that resolves names from a hosts file, so an unknown host fails locally.
 */
@Tag("connectors")
class ConnectorFaultTests {

    private static final int LEAK_CALLS = 300;

    private final FaultServer server = new FaultServer();

    private final ListAppender<ILoggingEvent> leaks = new ListAppender<>();

    private ResourceLeakDetector.Level previousLevel;

    private AutoCloseable connectorResources = () -> {
    };

    @BeforeEach
    void paranoid() {
        this.previousLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        this.leaks.start();
        ((Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector")).addAppender(this.leaks);
    }

    @AfterEach
    void close() throws Exception {
        ((Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector")).detachAppender(this.leaks);
        ResourceLeakDetector.setLevel(this.previousLevel);
        this.connectorResources.close();
        this.server.close();
    }

    @ParameterizedTest
    @EnumSource
    void refusedConnection(Connector connector) throws IOException {
        int port = closedPort();
        Harness harness = Harness.of(Harness.fastPolicy().maxAttempts(2));

        assertThatThrownBy(() -> client(connector, harness, "http://127.0.0.1:" + port).get().retrieve()
            .toBodilessEntity().block(Duration.ofSeconds(20))).isInstanceOf(WebClientRequestException.class);
        assertCategories(harness).containsExactly(Category.CONNECTION_REFUSED, Category.CONNECTION_REFUSED);
    }

    @ParameterizedTest
    @EnumSource
    void unknownHost(Connector connector) {
        Harness harness = Harness.of(Harness.fastPolicy().maxAttempts(2));

        assertThatThrownBy(() -> client(connector, harness, "http://service.invalid:8080").get().retrieve()
            .toBodilessEntity().block(Duration.ofSeconds(20))).isInstanceOf(WebClientRequestException.class);
        assertCategories(harness).containsExactly(Category.DNS_FAILURE, Category.DNS_FAILURE);
    }

    @ParameterizedTest
    @EnumSource
    void connectionResetBeforeTheResponse(Connector connector) {
        Harness harness = Harness.of(Harness.fastPolicy().maxAttempts(2));

        assertThatThrownBy(() -> get(client(connector, harness, this.server.url()), "/reset"))
            .isInstanceOf(WebClientRequestException.class);
        assertCategories(harness).containsExactly(Category.CONNECTION_RESET, Category.CONNECTION_RESET);
        // the JDK's HttpClient sends a GET a second time itself, below the filter
        assertThat(this.server.requests("/reset")).isEqualTo(2 * connector.sendsPerGetWhenClosed);
    }

    @ParameterizedTest
    @EnumSource
    void connectionClosedBeforeTheResponse(Connector connector) {
        Harness harness = Harness.of(Harness.fastPolicy().maxAttempts(2));

        assertThatThrownBy(() -> get(client(connector, harness, this.server.url()), "/drop"))
            .isInstanceOf(WebClientRequestException.class);
        assertCategories(harness).containsExactly(Category.CONNECTION_RESET, Category.CONNECTION_RESET);
        // the JDK's HttpClient sends a GET a second time itself, below the filter
        assertThat(this.server.requests("/drop")).isEqualTo(2 * connector.sendsPerGetWhenClosed);
    }

    @ParameterizedTest
    @EnumSource
    void connectTimeout(Connector connector) throws IOException {
        // A listening socket whose accept queue is full drops new connection attempts, so the
        // connect times out (nothing leaves 127.0.0.1).
        try (FullAcceptQueue full = new FullAcceptQueue()) {
            Harness harness = Harness.of(Harness.fastPolicy().maxAttempts(2));

            assertThatThrownBy(() -> client(connector, harness, full.url(), 1, Duration.ofMillis(200)).post()
                .bodyValue("order").retrieve().toBodilessEntity().block(Duration.ofSeconds(20)))
                .isInstanceOf(WebClientRequestException.class);
            // a POST too: a connect timeout proves the request never left
            assertCategories(harness).containsExactly(Category.CONNECT_TIMEOUT, Category.CONNECT_TIMEOUT);
        }
    }

    @ParameterizedTest
    @EnumSource
    void attemptTimeout(Connector connector) {
        Harness harness = Harness.of(Harness.fastPolicy().attemptTimeout(Duration.ofMillis(300)));

        // Two connections: Spring's HttpComponents connector does not abort an exchange that is
        // cancelled before its response (the hung one keeps its connection until HttpComponents'
        // own response timeout), so the retry needs a second one there.
        assertThat(get(client(connector, harness, this.server.url(), 2), "/hang")).isEqualTo("ok");
        assertThat(harness.listener.attempts.get(0).error()).isInstanceOf(AttemptTimeoutException.class);
        assertCategories(harness).containsExactly(Category.RESPONSE_TIMEOUT, Category.SUCCESS);
    }

    @ParameterizedTest
    @EnumSource
    void hundredsOfRetriedCallsThroughOneConnectionLeakNothing(Connector connector) {
        Harness harness = Harness.of(Harness.fastPolicy().initialDelay(Duration.ZERO).maxDelay(Duration.ZERO));
        WebClient client = client(connector, harness, this.server.url());

        List<String> bodies = Flux.range(0, LEAK_CALLS)
            .concatMap((i) -> client.get().uri("/flaky").retrieve().bodyToMono(String.class))
            .collectList()
            .block(Duration.ofMinutes(2));

        assertThat(bodies).hasSize(LEAK_CALLS).containsOnly("ok");
        assertThat(this.server.requests("/flaky")).isEqualTo(2 * LEAK_CALLS);
        // Each retried 503 was drained, so its connection went back to the pool and was used again.
        assertThat(this.server.connections()).as("connections opened").isLessThanOrEqualTo(2);
        // The leak detector reports when a leaked buffer is collected and a later one is tracked.
        System.gc();
        assertThat(get(client, "/ok")).isEqualTo("ok");
        assertThat(this.leaks.list).extracting(ILoggingEvent::getFormattedMessage)
            .noneMatch((message) -> message.contains("LEAK:"));
    }

    @org.junit.jupiter.api.Test
    void onlyReactorNettysClosedBeforeSendIsARequestThatNeverLeft() {
        // a pooled connection closed before anything was written (WebClientConnectorResendTests has the server close it)
        assertThat(ClientLibraryExceptionClassifier.INSTANCE.categoryOf(AbortedException.beforeSend()))
            .isEqualTo(Category.CONNECTION_CLOSED_BEFORE_SEND);
        assertThat(Category.CONNECTION_CLOSED_BEFORE_SEND.mayHaveReachedServer()).isFalse();
        // another abort (a cancelled or disposed exchange) is not known to the classifier
        assertThat(ClientLibraryExceptionClassifier.INSTANCE.categoryOf(new AbortedException("Connection has been closed"))).isNull();
    }

    @org.junit.jupiter.api.Test
    void httpComponentsByDefaultResendsA503ItselfBelowTheFilter() throws Exception {
        // a client the application builds itself keeps it; in the one Boot builds, the starter turns it
        // off (ConnectorRetries, WebClientConnectorResendTests)
        try (CloseableHttpAsyncClient apache = HttpAsyncClients.custom().build()) {
            apache.start();
            Harness harness = Harness.of(Harness.fastPolicy().maxAttempts(1));
            WebClient client = WebClient.builder().baseUrl(this.server.url())
                .clientConnector(new HttpComponentsClientHttpConnector(apache)).filter(harness.filter()).build();

            assertThat(get(client, "/flaky")).isEqualTo("ok");
            assertThat(this.server.requests("/flaky")).isEqualTo(2);
            assertThat(harness.listener.attempts).hasSize(1);
        }
    }

    private WebClient client(Connector connector, Harness harness, String baseUrl) {
        return client(connector, harness, baseUrl, 1);
    }

    private WebClient client(Connector connector, Harness harness, String baseUrl, int maxConnections) {
        // a connect on a busy machine's loopback may take a while: only the connect-timeout test wants it short
        return client(connector, harness, baseUrl, maxConnections, Duration.ofSeconds(2));
    }

    private WebClient client(Connector connector, Harness harness, String baseUrl, int maxConnections, Duration connectTimeout) {
        Connector.Built built = connector.create(connectTimeout, maxConnections);
        AutoCloseable previous = this.connectorResources;
        this.connectorResources = () -> {
            built.resources().close();
            previous.close();
        };
        return WebClient.builder().baseUrl(baseUrl).clientConnector(built.connector()).filter(harness.filter()).build();
    }

    private static String get(WebClient client, String path) {
        return client.get().uri(path).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(20));
    }

    private static org.assertj.core.api.ListAssert<Category> assertCategories(Harness harness) {
        List<Category> categories = harness.listener.attempts.stream().map(AttemptEvent::decision)
            .map((decision) -> decision.category()).toList();
        return assertThat(categories).as("categories of the attempts, whose errors were %s", errors(harness));
    }

    /** Each attempt's cause chain, by class name: what to add to the classifier when a test fails. */
    private static List<String> errors(Harness harness) {
        return harness.listener.attempts.stream()
            .map((event) -> (event.error() == null) ? "none"
                    : dev.httpretry.core.ExceptionClassifier.causeChain(event.error()).stream()
                        .map((link) -> link.getClass().getName() + "(" + abbreviate(link.getMessage()) + ")")
                        .collect(java.util.stream.Collectors.joining(" <- ")))
            .toList();
    }

    private static String abbreviate(String message) {
        return (message == null || message.length() <= 80) ? message : message.substring(0, 80) + "...";
    }

    /** Each connector with a pool of one connection (where it has a pool) and a connect timeout. */
    enum Connector {

        REACTOR_NETTY(1) {
            @Override
            Built create(Duration connectTimeout, int maxConnections) {
                ConnectionProvider pool = ConnectionProvider.builder("connector-tests").maxConnections(maxConnections)
                    .pendingAcquireTimeout(Duration.ofSeconds(5)).build();
                HttpClient client = HttpClient.create(pool)
                    // the JDK's resolver, so the hosts file of this test JVM applies
                    .resolver(DefaultAddressResolverGroup.INSTANCE)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis());
                return new Built(new ReactorClientHttpConnector(client), () -> pool.disposeLater().block(Duration.ofSeconds(5)));
            }
        },

        JETTY(1) {
            @Override
            Built create(Duration connectTimeout, int maxConnections) {
                org.eclipse.jetty.client.HttpClient client = new org.eclipse.jetty.client.HttpClient();
                client.setConnectTimeout(connectTimeout.toMillis());
                client.setMaxConnectionsPerDestination(maxConnections);
                try {
                    client.start();
                }
                catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
                return new Built(new JettyClientHttpConnector(client), client::stop);
            }
        },

        JDK_HTTP_CLIENT(2) {
            @Override
            Built create(Duration connectTimeout, int maxConnections) {
                // no limit on connections: the leak test counts the connections the server saw
                java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().connectTimeout(connectTimeout).build();
                return new Built(new JdkClientHttpConnector(client), () -> {
                });
            }
        },

        APACHE_HTTP_COMPONENTS(1) {
            @Override
            Built create(Duration connectTimeout, int maxConnections) {
                CloseableHttpAsyncClient client = HttpAsyncClients.custom()
                    .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(maxConnections)
                        .setMaxConnPerRoute(maxConnections)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.of(connectTimeout))
                            .build())
                        .build())
                    .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.ofSeconds(5))
                        .build())
                    // its own retry strategy would resend 503s and dropped requests below the filter
                    .disableAutomaticRetries()
                    .build();
                client.start();
                return new Built(new HttpComponentsClientHttpConnector(client), client::close);
            }
        };

        /** How often the connector itself sends a GET whose connection closes before the response. */
        final int sendsPerGetWhenClosed;

        Connector(int sendsPerGetWhenClosed) {
            this.sendsPerGetWhenClosed = sendsPerGetWhenClosed;
        }

        abstract Built create(Duration connectTimeout, int maxConnections);

        record Built(ClientHttpConnector connector, AutoCloseable resources) {
        }
    }

    /**
     * A server on 127.0.0.1 whose paths fail in one way each: {@code /reset} (a TCP reset) and
     * {@code /drop} (closed before any response) always fail; {@code /hang} does not answer the first
     * request and answers {@code ok} after; {@code /flaky} answers 503 with a body and {@code ok} in turn; anything else
     * answers {@code ok}. It counts requests per path and connections.
     */
    private static final class FaultServer implements AutoCloseable {

        private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

        private final AtomicInteger connections = new AtomicInteger();

        private final DisposableServer server;

        FaultServer() {
            this.server = HttpServer.create().host("127.0.0.1").port(0)
                // the leak detector judges the client only
                .childOption(ChannelOption.ALLOCATOR, new UnpooledByteBufAllocator(false, true))
                .doOnChannelInit((observer, channel, address) -> this.connections.incrementAndGet())
                .handle(this::handle)
                .bindNow();
        }

        String url() {
            return "http://127.0.0.1:" + this.server.port();
        }

        int requests(String path) {
            AtomicInteger count = this.requests.get(path);
            return (count != null) ? count.get() : 0;
        }

        int connections() {
            return this.connections.get();
        }

        private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
            String path = request.path().isEmpty() ? "/" : "/" + request.path();
            int n = this.requests.computeIfAbsent(path, (key) -> new AtomicInteger()).incrementAndGet();
            Mono<Void> ok = response.status(200).sendString(Mono.just("ok")).then();
            return request.receive().then(Mono.defer(() -> switch (path) {
                case "/reset" -> close(response, true);
                case "/drop" -> close(response, false);
                case "/hang" -> (n == 1) ? Mono.never() : ok;
                case "/flaky" -> (n % 2 == 1)
                        ? response.status(503).sendString(Mono.just("x".repeat(8 * 1024))).then() : ok;
                default -> ok;
            }));
        }

        private static Mono<Void> close(HttpServerResponse response, boolean reset) {
            return Mono.fromRunnable(() -> response.withConnection((connection) -> {
                if (reset) {
                    // linger 0: close() sends RST instead of FIN
                    connection.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                }
                connection.channel().close();
            }));
        }

        @Override
        public void close() {
            this.server.disposeNow(Duration.ofSeconds(5));
        }
    }
}
