package dev.offload.internal;

/**
 * A hook of one of Offload's own optional modules into an {@code Offload}: the test kit runs jobs
 * as soon as they are enqueued. Added to a builder with {@link OffloadInternals.Access#intercept}.
 * Every method has a default that does nothing.
 */
public interface JobInterceptor {
  /**
   * Jobs were enqueued through this Offload (an enqueue, a batch, a workflow, a follow-up). Called
   * on the enqueuing thread after the store returned.
   *
   * @param inTransaction whether they were written inside the caller's transaction, so that no
   *     other connection sees them until it commits
   */
  default void afterEnqueue(boolean inTransaction) {}
}
