/**
 * Tracing for Offload with OpenTelemetry: {@link dev.offload.opentelemetry.TracingInterceptor}, on
 * by itself when this module is on the class or module path.
 */
module dev.offload.opentelemetry {
  requires dev.offload;
  requires io.opentelemetry.api;
  requires io.opentelemetry.context;

  exports dev.offload.opentelemetry;

  provides dev.offload.internal.OffloadInternals.JobInterceptor with
      dev.offload.opentelemetry.TracingInterceptor;
}
