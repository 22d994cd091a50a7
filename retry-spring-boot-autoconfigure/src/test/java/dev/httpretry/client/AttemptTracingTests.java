package dev.httpretry.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import brave.Tracing;
import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.ThreadLocalCurrentTraceContext;
import brave.propagation.TraceContext;
import brave.sampler.Sampler;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import dev.httpretry.restclient.RetryClientHttpRequestInterceptor;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.TestServer;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.brave.bridge.BraveBaggageManager;
import io.micrometer.tracing.brave.bridge.BraveCurrentTraceContext;
import io.micrometer.tracing.brave.bridge.BravePropagator;
import io.micrometer.tracing.brave.bridge.BraveTracer;
import io.micrometer.tracing.brave.bridge.W3CPropagation;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A span per attempt, with both tracing bridges Boot supports and their in-memory reporters: each
 * attempt is a child of the call's {@code http.client.requests} span with the contract's keys, each
 * attempt's request carries its own {@code traceparent}, the waits show on the call's span, and
 * nothing is observed twice.
 */
class AttemptTracingTests {

    private final TestServer server = TestServer.answering(503, 503, 200);

    @AfterEach
    void stop() {
        this.server.close();
    }

    @Test
    void brave() {
        List<MutableSpan> spans = new CopyOnWriteArrayList<>();
        Tracing tracing = brave(spans);
        try {
            call(braveRegistry(tracing));

            await().atMost(Duration.ofSeconds(5)).until(() -> spans.size() == 4);
            List<MutableSpan> attempts = spans.stream().filter((span) -> span.tag("attempt") != null).toList();
            MutableSpan call = spans.stream().filter((span) -> span.tag("attempt") == null).findFirst().orElseThrow();
            assertThat(attempts).hasSize(3);
            for (int i = 0; i < 3; i++) {
                MutableSpan attempt = attempts.get(i);
                assertThat(attempt.parentId()).isEqualTo(call.id());
                assertThat(attempt.traceId()).isEqualTo(call.traceId());
                assertThat(attempt.tag("client")).isEqualTo("default");
                assertThat(attempt.tag("attempt")).isEqualTo(String.valueOf(i + 1));
                assertThat(attempt.tag("http.request.resend_count")).isEqualTo(String.valueOf(i));
                assertThat(attempt.tag("status")).isEqualTo(i < 2 ? "503" : "200");
                assertThat(attempt.tag("error")).isEqualTo("none");
                assertThat(traceparent(i)).startsWith("00-" + call.traceId() + "-" + attempt.id() + "-");
            }
            assertThat(call.annotationCount()).isEqualTo(2);
            assertThat(call.annotationValueAt(0)).isEqualTo("wait 1ms before attempt 2");
        }
        finally {
            tracing.close();
        }
    }

    /** The same through RestClient: each attempt a child span with its own traceparent on the wire. */
    @Test
    void restClientWithBrave() {
        List<MutableSpan> spans = new CopyOnWriteArrayList<>();
        Tracing tracing = brave(spans);
        try {
            ObservationRegistry registry = braveRegistry(tracing);
            RetryClientHttpRequestInterceptor interceptor = new RetryClientHttpRequestInterceptor(
                    RetryClients.of(java.util.Map.of(RetryClients.DEFAULT_CLIENT, Harness.fastPolicy().build()), java.time.Clock.systemUTC()),
                    RetryListener.NONE).withObservationRegistry(registry);
            RestClient client = RestClient.builder().baseUrl(this.server.url()).observationRegistry(registry)
                .requestFactory(new JdkClientHttpRequestFactory()).requestInterceptor(interceptor).build();

            client.get().uri("/traced").retrieve().toBodilessEntity();

            assertThat(this.server.requests()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(5)).until(() -> spans.size() == 4);
            List<MutableSpan> attempts = spans.stream().filter((span) -> span.tag("attempt") != null).toList();
            MutableSpan call = spans.stream().filter((span) -> span.tag("attempt") == null).findFirst().orElseThrow();
            assertThat(attempts).hasSize(3);
            for (int i = 0; i < 3; i++) {
                MutableSpan attempt = attempts.get(i);
                assertThat(attempt.parentId()).isEqualTo(call.id());
                assertThat(attempt.tag("attempt")).isEqualTo(String.valueOf(i + 1));
                assertThat(attempt.tag("http.request.resend_count")).isEqualTo(String.valueOf(i));
                assertThat(attempt.tag("status")).isEqualTo(i < 2 ? "503" : "200");
                assertThat(traceparent(i)).startsWith("00-" + call.traceId() + "-" + attempt.id() + "-");
            }
            assertThat(call.annotationCount()).isEqualTo(2);
        }
        finally {
            tracing.close();
        }
    }

    @Test
    void openTelemetry() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        SdkTracerProvider provider = SdkTracerProvider.builder()
            .setSampler(io.opentelemetry.sdk.trace.samplers.Sampler.alwaysOn())
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
        try {
            io.opentelemetry.api.trace.Tracer otel = provider.get("http-retry-test");
            OtelCurrentTraceContext context = new OtelCurrentTraceContext();
            OtelTracer tracer = new OtelTracer(otel, context, (event) -> {
            }, new OtelBaggageManager(context, List.of(), List.of()));
            OtelPropagator propagator = new OtelPropagator(ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel);
            call(registry(new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                    new DefaultTracingObservationHandler(tracer)));

            await().atMost(Duration.ofSeconds(5)).until(() -> exporter.getFinishedSpanItems().size() == 4);
            List<SpanData> spans = exporter.getFinishedSpanItems();
            AttributeKey<String> attemptKey = AttributeKey.stringKey("attempt");
            List<SpanData> attempts = spans.stream().filter((span) -> span.getAttributes().get(attemptKey) != null).toList();
            SpanData call = spans.stream().filter((span) -> span.getAttributes().get(attemptKey) == null).findFirst().orElseThrow();
            assertThat(attempts).hasSize(3);
            for (int i = 0; i < 3; i++) {
                SpanData attempt = attempts.get(i);
                assertThat(attempt.getParentSpanId()).isEqualTo(call.getSpanId());
                assertThat(attempt.getTraceId()).isEqualTo(call.getTraceId());
                assertThat(attempt.getAttributes().get(AttributeKey.stringKey("client"))).isEqualTo("default");
                assertThat(attempt.getAttributes().get(attemptKey)).isEqualTo(String.valueOf(i + 1));
                assertThat(attempt.getAttributes().get(AttributeKey.stringKey("http.request.resend_count"))).isEqualTo(String.valueOf(i));
                assertThat(attempt.getAttributes().get(AttributeKey.stringKey("status"))).isEqualTo(i < 2 ? "503" : "200");
                // the flags after the span id: sampled, and with newer OpenTelemetry the random-trace-id bit
                assertThat(traceparent(i)).startsWith("00-" + call.getTraceId() + "-" + attempt.getSpanId() + "-");
            }
            assertThat(call.getEvents()).extracting(EventData::getName)
                .containsExactly("wait 1ms before attempt 2", "wait 2ms before attempt 3");
        }
        finally {
            provider.close();
        }
    }

    @Test
    void withoutAnObservationRegistryNothingIsObservedAndTheRequestIsUntouched() {
        Harness harness = Harness.of(Harness.fastPolicy());
        harness.client(this.server.url()).get().retrieve().toBodilessEntity().block(Duration.ofSeconds(10));
        assertThat(this.server.received()).hasSize(3).allSatisfy((request) -> assertThat(request.headers()).doesNotContainKey("traceparent"));
    }

    /** Brave with W3C propagation, 128-bit trace ids, every span sampled and kept in {@code spans}. */
    private static Tracing brave(List<MutableSpan> spans) {
        return Tracing.newBuilder()
            .currentTraceContext(ThreadLocalCurrentTraceContext.newBuilder().build())
            .propagationFactory(new W3CPropagation(new BraveBaggageManager(), List.of()))
            .sampler(Sampler.ALWAYS_SAMPLE)
            .traceId128Bit(true)
            .addSpanHandler(new SpanHandler() {
                @Override
                public boolean end(TraceContext traceContext, MutableSpan span, Cause cause) {
                    spans.add(span);
                    return true;
                }
            })
            .build();
    }

    private static ObservationRegistry braveRegistry(Tracing tracing) {
        BraveTracer tracer = new BraveTracer(tracing.tracer(), new BraveCurrentTraceContext(tracing.currentTraceContext()),
                new BraveBaggageManager());
        return registry(new PropagatingSenderTracingObservationHandler<>(tracer, new BravePropagator(tracing)),
                new DefaultTracingObservationHandler(tracer));
    }

    private static ObservationRegistry registry(ObservationHandler<?> sender, ObservationHandler<?> other) {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(sender, other));
        return registry;
    }

    private void call(ObservationRegistry registry) {
        RetryExchangeFilterFunction filter = Harness.of(Harness.fastPolicy()).filter().withObservationRegistry(registry);
        WebClient client = WebClient.builder().baseUrl(this.server.url()).observationRegistry(registry).filter(filter).build();
        client.get().uri("/traced").retrieve().toBodilessEntity().block(Duration.ofSeconds(10));
        assertThat(this.server.requests()).isEqualTo(3);
    }

    private String traceparent(int request) {
        return this.server.received().get(request).headers().get("traceparent");
    }
}
