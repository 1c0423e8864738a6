package dev.offload.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.JobOptions.RetryPolicy;
import dev.offload.Offload;
import dev.offload.test.OffloadTest.Mode;
import dev.offload.test.OffloadTest.StoreType;
import dev.offload.test.TestOffload;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The spans of jobs, recorded by the SDK's in-memory exporter, on both stores: the trace context
 * travels through the job's row, since the test kit runs each attempt from what the claim read.
 */
class TracingInterceptorTest {
  @RegisterExtension static final OpenTelemetryExtension otel = OpenTelemetryExtension.create();

  record Order(String id) {}

  final AtomicInteger calls = new AtomicInteger();
  final AtomicReference<Offload> self = new AtomicReference<>();

  private TestOffload offload(StoreType store) {
    return TestOffload.create(
        Mode.MANUAL,
        store,
        builder ->
            builder
                .register("orders.sync", Order.class, (args, ctx) -> "synced " + args.id())
                .register(
                    "orders.flaky",
                    Order.class,
                    (args, ctx) -> {
                      if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("upstream said 502");
                      }
                      return null;
                    },
                    JobOptions.defaults().retryPolicy(RetryPolicy.fixed(Duration.ofMinutes(1))))
                .register(
                    "orders.fanout",
                    Order.class,
                    (args, ctx) -> {
                      Span work =
                          GlobalOpenTelemetry.getTracer("test")
                              .spanBuilder("fetch page")
                              .startSpan();
                      work.end();
                      return self.get().enqueue("orders.sync", args).value();
                    }));
  }

  /** Enqueues inside a span like a web request's; returns that span's context. */
  private static SpanContext enqueueInRequest(TestOffload offload, String kind, Order args) {
    Span request =
        GlobalOpenTelemetry.getTracer("test")
            .spanBuilder("POST /orders/sync")
            .setSpanKind(SpanKind.SERVER)
            .startSpan();
    try (Scope ignored = request.makeCurrent()) {
      offload.enqueue(kind, args);
    } finally {
      request.end();
    }
    return request.getSpanContext();
  }

  private static List<SpanData> runSpans() {
    return otel.getSpans().stream()
        .filter(s -> s.getName().equals(TracingInterceptor.SPAN_NAME))
        .toList();
  }

  @ParameterizedTest
  @EnumSource(StoreType.class)
  void theFirstAttemptRunsInAConsumerSpanWhoseParentIsTheEnqueuingSpan(StoreType store) {
    try (TestOffload offload = offload(store)) {
      SpanContext request = enqueueInRequest(offload, "orders.sync", new Order("o-1"));
      JobId id = offload.jobs("orders.sync").get(0).id();
      offload.drain();
      assertThat(offload.job(id).state()).isEqualTo(JobState.SUCCEEDED);

      SpanData run = runSpans().get(0);
      assertThat(runSpans()).hasSize(1);
      assertThat(run.getKind()).isEqualTo(SpanKind.CONSUMER);
      assertThat(run.getTraceId()).isEqualTo(request.getTraceId());
      assertThat(run.getParentSpanId()).isEqualTo(request.getSpanId());
      assertThat(run.getLinks()).isEmpty();
      assertThat(run.getAttributes().get(TracingInterceptor.KIND)).isEqualTo("orders.sync");
      assertThat(run.getAttributes().get(TracingInterceptor.QUEUE)).isEqualTo("default");
      assertThat(run.getAttributes().get(TracingInterceptor.ATTEMPT)).isEqualTo(1L);
      assertThat(run.getAttributes().get(TracingInterceptor.JOB_ID)).isEqualTo(id.value());
      assertThat(run.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreType.class)
  void aFailedAttemptIsRecordedOnItsSpanAndTheRetryLinksToTheEnqueuingSpan(StoreType store) {
    try (TestOffload offload = offload(store)) {
      SpanContext request = enqueueInRequest(offload, "orders.flaky", new Order("o-2"));
      offload.drain();
      offload.clock().advance(Duration.ofMinutes(1));
      offload.drain();
      JobId id = offload.jobs("orders.flaky").get(0).id();
      assertThat(offload.job(id).state()).isEqualTo(JobState.SUCCEEDED);

      List<SpanData> runs = runSpans();
      assertThat(runs).hasSize(2);
      SpanData failed = runs.get(0);
      assertThat(failed.getAttributes().get(TracingInterceptor.ATTEMPT)).isEqualTo(1L);
      assertThat(failed.getParentSpanId()).isEqualTo(request.getSpanId());
      assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(failed.getStatus().getDescription()).contains("upstream said 502");
      assertThat(failed.getEvents())
          .anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("exception");
            assertThat(e.getAttributes().asMap().values().toString()).contains("upstream said 502");
          });

      SpanData retry = runs.get(1);
      assertThat(retry.getAttributes().get(TracingInterceptor.ATTEMPT)).isEqualTo(2L);
      assertThat(retry.getParentSpanContext().isValid()).isFalse();
      assertThat(retry.getTraceId()).isNotEqualTo(request.getTraceId());
      assertThat(retry.getLinks())
          .singleElement()
          .satisfies(link -> {
            assertThat(link.getSpanContext().getTraceId()).isEqualTo(request.getTraceId());
            assertThat(link.getSpanContext().getSpanId()).isEqualTo(request.getSpanId());
          });
      assertThat(retry.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreType.class)
  void theHandlersSpansAndTheJobsItEnqueuesBelongToTheRunSpan(StoreType store) {
    try (TestOffload offload = offload(store)) {
      self.set(offload.offload());
      SpanContext request = enqueueInRequest(offload, "orders.fanout", new Order("o-3"));
      offload.drain();
      assertThat(offload.jobs("orders.sync"))
          .singleElement()
          .extracting(j -> j.state())
          .isEqualTo(JobState.SUCCEEDED);

      SpanData fanout =
          runSpans().stream()
              .filter(s -> "orders.fanout".equals(s.getAttributes().get(TracingInterceptor.KIND)))
              .findFirst()
              .orElseThrow();
      SpanData sync =
          runSpans().stream()
              .filter(s -> "orders.sync".equals(s.getAttributes().get(TracingInterceptor.KIND)))
              .findFirst()
              .orElseThrow();
      SpanData fetch =
          otel.getSpans().stream()
              .filter(s -> s.getName().equals("fetch page"))
              .findFirst()
              .orElseThrow();
      assertThat(fanout.getParentSpanId()).isEqualTo(request.getSpanId());
      assertThat(fetch.getParentSpanId()).isEqualTo(fanout.getSpanId());
      assertThat(sync.getParentSpanId()).isEqualTo(fanout.getSpanId());
      assertThat(sync.getTraceId()).isEqualTo(request.getTraceId());
    }
  }

  @ParameterizedTest
  @EnumSource(StoreType.class)
  void aJobEnqueuedOutsideAnySpanRunsInARootSpanWithoutLinks(StoreType store) {
    try (TestOffload offload = offload(store)) {
      offload.enqueue("orders.sync", new Order("o-4"));
      offload.drain();
      SpanData run = runSpans().get(0);
      assertThat(run.getParentSpanContext().isValid()).isFalse();
      assertThat(run.getLinks()).isEmpty();
    }
  }
}
