package dev.offload.opentelemetry;

import dev.offload.JobContext.Snooze;
import dev.offload.internal.OffloadInternals.JobInterceptor;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Traces jobs with the application's OpenTelemetry ({@link GlobalOpenTelemetry}, as set up by the
 * SDK, its autoconfiguration or the Java agent).
 *
 * <p>An enqueue made while a span is current stores that span's W3C trace context ({@code
 * traceparent}, and {@code tracestate} when there is one) with the job. Each attempt then runs in a
 * span {@value #SPAN_NAME} of kind {@link SpanKind#CONSUMER}, current while the handler runs (so
 * the handler's own spans, and jobs it enqueues, belong to it), with the attributes {@code
 * offload.job.kind}, {@code offload.job.queue}, {@code offload.job.attempt} and {@code
 * offload.job.id}. On the first attempt its parent is the enqueuing span, so the job's run is part
 * of the request's trace; a retry starts a trace of its own with a link to the enqueuing span,
 * since a retry hours later inside the request's trace would mislead. An attempt that throws
 * records the exception on its span and sets the status to error; a snooze is not an error ({@code
 * offload.job.snoozed} is true).
 *
 * <p>Found by {@link java.util.ServiceLoader}: putting {@code offload-opentelemetry} on the class
 * path turns it on, with nothing to configure. Without an OpenTelemetry SDK the API is a no-op and
 * so is this. Thread-safe.
 */
public final class TracingInterceptor implements JobInterceptor {
  /** The name of the span of an attempt. */
  public static final String SPAN_NAME = "offload.job.run";

  /** The instrumentation scope of the spans. */
  public static final String INSTRUMENTATION = "dev.offload";

  static final AttributeKey<String> KIND = AttributeKey.stringKey("offload.job.kind");
  static final AttributeKey<String> QUEUE = AttributeKey.stringKey("offload.job.queue");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("offload.job.attempt");
  static final AttributeKey<Long> JOB_ID = AttributeKey.longKey("offload.job.id");
  static final AttributeKey<Boolean> SNOOZED = AttributeKey.booleanKey("offload.job.snoozed");

  private static final W3CTraceContextPropagator PROPAGATOR =
      W3CTraceContextPropagator.getInstance();

  private static final TextMapGetter<Map<String, String>> FROM_HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  /** Made by the ServiceLoader. */
  public TracingInterceptor() {}

  @Override
  public Map<String, String> enqueueHeaders() {
    Context current = Context.current();
    if (!Span.fromContext(current).getSpanContext().isValid()) {
      return Map.of();
    }
    Map<String, String> headers = new LinkedHashMap<>();
    PROPAGATOR.inject(current, headers, (carrier, key, value) -> carrier.put(key, value));
    return headers;
  }

  @Override
  public Object aroundAttempt(Attempt attempt, Callable<Object> handler) throws Exception {
    SpanBuilder builder =
        tracer()
            .spanBuilder(SPAN_NAME)
            .setSpanKind(SpanKind.CONSUMER)
            .setAttribute(KIND, attempt.kind())
            .setAttribute(QUEUE, attempt.queue())
            .setAttribute(ATTEMPT, (long) attempt.attempt())
            .setAttribute(JOB_ID, attempt.jobId());
    SpanContext enqueued = enqueuingSpan(attempt.headers());
    if (enqueued.isValid() && attempt.attempt() <= 1) {
      builder.setParent(Context.root().with(Span.wrap(enqueued)));
    } else {
      builder.setNoParent();
      if (enqueued.isValid()) {
        builder.addLink(enqueued);
      }
    }
    Span span = builder.startSpan();
    try (Scope ignored = span.makeCurrent()) {
      return handler.call();
    } catch (Snooze snooze) {
      span.setAttribute(SNOOZED, true);
      throw snooze;
    } catch (Throwable t) {
      span.recordException(t);
      span.setStatus(StatusCode.ERROR, t.getClass().getName() + ": " + t.getMessage());
      throw t;
    } finally {
      span.end();
    }
  }

  private static SpanContext enqueuingSpan(Map<String, String> headers) {
    if (headers.isEmpty()) {
      return SpanContext.getInvalid();
    }
    Context extracted = PROPAGATOR.extract(Context.root(), headers, FROM_HEADERS);
    return Span.fromContext(extracted).getSpanContext();
  }

  private static Tracer tracer() {
    // Asked each time: the application may install its SDK after Offload was built.
    return GlobalOpenTelemetry.getTracer(INSTRUMENTATION);
  }
}
