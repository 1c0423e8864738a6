package dev.offload;

/**
 * Told what happens to jobs on this node: for alerting ({@link #onDead}) and metrics (the rest).
 * Register with {@link Offload.Builder#listener}; every method has an empty default.
 *
 * <p>{@link #onEnqueued}, {@link #onStarted} and {@link #onFinished} are called on the thread doing
 * the work, on the hot path: keep them as cheap as incrementing a counter. {@link #onDead} and
 * {@link #onRetrying} are called on a listener thread after the outcome is stored and may take
 * their time. Exceptions are logged and ignored.
 */
public interface JobListener {
  /** The job is dead: its attempts are used up, it failed permanently, or its worker kept dying. */
  default void onDead(Job job) {}

  /**
   * An attempt of the job failed here and the job will run again ({@code retrying}; its last error
   * says why, {@link Job#runAt()} when). Called on the listener thread, as {@link #onDead} is.
   */
  default void onRetrying(Job job) {}

  /** {@code count} jobs of {@code kind} were enqueued into {@code queue} by this node. */
  default void onEnqueued(String kind, String queue, int count) {}

  /** An attempt started here, {@code waitedMillis} after the job became runnable. */
  default void onStarted(String kind, String queue, long waitedMillis) {}

  /**
   * An attempt ended here after {@code runMillis}: {@code state} is succeeded, retrying, dead or
   * cancelled (a retrying outcome is a failed attempt).
   */
  default void onFinished(String kind, String queue, JobState state, long runMillis) {}
}
