package dev.offload.internal;

import dev.offload.Offload;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/**
 * What Offload's own modules may do to an {@code Offload} that users cannot: add a {@link
 * JobInterceptor} to a builder, run jobs one at a time. {@code Offload} hands its implementation
 * over when its class is initialised (the JDK's "shared secrets" pattern), so none of this is
 * public API of {@code dev.offload}.
 */
public final class OffloadInternals {
  /** The operations, implemented inside {@code Offload}. */
  public interface Access {
    /** Adds {@code interceptor} to the Offload that {@code builder} builds. */
    void intercept(Offload.Builder builder, JobInterceptor interceptor);

    /** Runs {@code offload}'s jobs one at a time on the calling thread. */
    JobStepper stepper(Offload offload);

    /**
     * Stores the schedules declared on {@code offload}'s builder, as {@code start()} does, without
     * starting workers.
     */
    void storeDeclaredSchedules(Offload offload);

    /** The args type of each kind {@code offload} has a handler for. */
    java.util.Map<String, Class<?>> argsTypes(Offload offload);
  }

  private static volatile Access access;

  private OffloadInternals() {}

  /** Called once, by {@code Offload}'s static initialiser. */
  public static void provide(Access implementation) {
    access = Objects.requireNonNull(implementation, "implementation");
  }

  /** The operations; initialises {@code Offload} first if it is not yet. */
  public static Access access() {
    Access a = access;
    if (a == null) {
      try {
        Class.forName(Offload.class.getName(), true, Offload.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      a = access;
    }
    return Objects.requireNonNull(a, "Offload did not provide its internals");
  }

  /**
   * A hook of one of Offload's own optional modules into an {@code Offload}: offload-opentelemetry
   * stores the enqueuing trace with each job and runs each attempt in a span; the test kit runs
   * jobs as soon as they are enqueued. Found with {@link java.util.ServiceLoader} when a builder
   * builds (so a module on the class path is on by itself), or added to one builder with {@link
   * OffloadInternals.Access#intercept}. Every method has a default that does nothing.
   */
  public interface JobInterceptor {
    /**
     * Headers to store with the jobs enqueued now on this thread, such as the W3C {@code
     * traceparent} of the current span; empty for none. Called once per enqueue call.
     */
    default Map<String, String> enqueueHeaders() {
      return Map.of();
    }

    /**
     * Runs one attempt of a job: calls {@code handler} once on the calling thread (the handler's)
     * and returns what it returns or throws what it throws.
     *
     * @throws Exception what the handler threw
     */
    default Object aroundAttempt(Attempt attempt, Callable<Object> handler) throws Exception {
      return handler.call();
    }

    /**
     * Jobs were enqueued through this Offload (an enqueue, a batch, a workflow, a follow-up).
     * Called on the enqueuing thread after the store returned.
     *
     * @param inTransaction whether they were written inside the caller's transaction, so that no
     *     other connection sees them until it commits
     */
    default void afterEnqueue(boolean inTransaction) {}

    /**
     * The attempt about to run.
     *
     * @param attempt its number, from 1; a snoozed or continued job runs again under the same
     *     number
     * @param headers what {@link #enqueueHeaders()} gave when the job was enqueued
     */
    record Attempt(
        long jobId, String kind, String queue, int attempt, Map<String, String> headers) {
      public Attempt {
        headers = Map.copyOf(headers);
      }
    }
  }

  /**
   * Runs an {@code Offload}'s jobs one at a time on the calling thread, without workers: the test
   * kit's manual and inline modes. Obtained with {@link OffloadInternals.Access#stepper}.
   */
  public interface JobStepper {
    /**
     * Claims the next due job that this Offload has a handler for (queue by queue, in name order;
     * within a queue by priority, run time and id, as a worker does) and runs one attempt of it on
     * the calling thread, with the Offload's clock; its outcome (result, retry, death) is written
     * before this returns. Per-kind timeouts do not apply.
     *
     * @return the id of the job it ran, or empty when no job is due
     */
    OptionalLong runNext();
  }
}
