package dev.offload.internal;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A hook of one of Offload's own optional modules into an {@code Offload}: offload-opentelemetry
 * stores the enqueuing trace with each job and runs each attempt in a span; the test kit runs jobs
 * as soon as they are enqueued. Found with {@link java.util.ServiceLoader} when a builder builds
 * (so a module on the class path is on by itself), or added to one builder with {@link
 * OffloadInternals.Access#intercept}. Every method has a default that does nothing.
 */
public interface JobInterceptor {
  /**
   * Headers to store with the jobs enqueued now on this thread, such as the W3C {@code traceparent}
   * of the current span; empty for none. Called once per enqueue call.
   */
  default Map<String, String> enqueueHeaders() {
    return Map.of();
  }

  /**
   * Runs one attempt of a job: calls {@code handler} once on the calling thread (the handler's) and
   * returns what it returns or throws what it throws.
   *
   * @throws Exception what the handler threw
   */
  default Object aroundAttempt(Attempt attempt, Callable<Object> handler) throws Exception {
    return handler.call();
  }

  /**
   * Jobs were enqueued through this Offload (an enqueue, a batch, a workflow, a follow-up). Called
   * on the enqueuing thread after the store returned.
   *
   * @param inTransaction whether they were written inside the caller's transaction, so that no
   *     other connection sees them until it commits
   */
  default void afterEnqueue(boolean inTransaction) {}

  /**
   * The attempt about to run.
   *
   * @param attempt its number, from 1; a snoozed or continued job runs again under the same number
   * @param headers what {@link #enqueueHeaders()} gave when the job was enqueued
   */
  record Attempt(long jobId, String kind, String queue, int attempt, Map<String, String> headers) {
    public Attempt {
      headers = Map.copyOf(headers);
    }
  }
}
