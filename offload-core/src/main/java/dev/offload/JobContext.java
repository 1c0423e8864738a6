package dev.offload;

import dev.offload.Job.JobId;
import dev.offload.Job.Stage;
import dev.offload.Workflow.StepOptions;
import dev.offload.Workflow.WorkflowId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a running handler knows about its job, and how it reports back. Valid only during the
 * attempt it was given to; its methods may be called from the handler's thread or threads it
 * starts.
 *
 * <p>Progress calls ({@link #advance}, {@link #total}, {@link #message}) only touch memory and are
 * cheap enough to call per item in a hot loop; the engine writes progress to the store at most once
 * per progress interval (default 1 s) per job, at once on a stage change, and at the end. {@link
 * #checkpoint(Object)} writes durably before it returns.
 */
public interface JobContext {
  /** {@return the job's id} */
  JobId id();

  /** {@return the job's kind} */
  String kind();

  /** {@return the queue the job was claimed from} */
  String queue();

  /** {@return this attempt's number, starting at 1} */
  int attempt();

  /** {@return how many attempts the job may use before it is dead} */
  int maxAttempts();

  /**
   * Whether the attempt should stop: the job was cancelled, timed out, or the node is shutting down
   * and the grace period is over. The handler's thread is interrupted at the same moment.
   *
   * @return true once the attempt should stop
   */
  boolean isCancelled();

  /**
   * When this attempt must be over: on a worker, its start plus the kind's {@link
   * JobOptions#timeout()} (empty when the kind has none); on a push endpoint ({@code
   * offload-push}), the end of the invocation. Read it to size a unit of work; {@link
   * #shouldYield()} says when to stop.
   *
   * @return the attempt's deadline, or empty when it has none
   */
  default Optional<Instant> deadline() {
    return Optional.empty();
  }

  /**
   * True when the handler should store a {@link #checkpoint(Object)} and return now: the {@link
   * #deadline()} is nearer than its yield margin (a fifth of the time the attempt was given, at
   * most 30 s), or the attempt {@link #isCancelled() is cancelled}. A handler that returns after
   * this said true and after it stored a checkpoint is <em>continued</em>: the job runs again at
   * once from that checkpoint without using an attempt, and what the handler returned is not its
   * result. Cheap: call it per item.
   *
   * <pre>{@code
   * for (int page = ctx.checkpoint(Integer.class).orElse(0); page < pages; page++) {
   *   if (ctx.shouldYield()) {
   *     ctx.checkpoint(page);
   *     return null; // continued from page
   *   }
   *   importPage(page);
   * }
   * return "done";
   * }</pre>
   *
   * @return true when the handler should checkpoint and return now
   */
  default boolean shouldYield() {
    return isCancelled();
  }

  /**
   * Ends this attempt and runs the job again after {@code delay} without using an attempt, e.g.
   * when an upstream API answers 429. Never returns: it throws {@link Snooze}.
   *
   * @param delay how long to wait before the job runs again; not negative
   */
  default void snooze(java.time.Duration delay) {
    throw new Snooze(delay);
  }

  // ---------------------------------------------------------------- progress

  /**
   * Sets how many items the job (or, with stages, the current stage) has in all.
   *
   * @param total the number of items
   */
  void total(long total);

  /**
   * Counts {@code n} more items done.
   *
   * @param n how many items were done since the last call
   */
  void advance(long n);

  /**
   * Sets how many items are done.
   *
   * @param done the number of items done so far
   */
  void done(long done);

  /**
   * Sets the job's message.
   *
   * @param message a line for humans, e.g. "Imported 12,000 of 50,000 orders"
   */
  void message(String message);

  /**
   * Declares the job's stages and their weights; the overall percent is the weighted sum of the
   * stages' percents. Call once, before the first {@link #stage}.
   *
   * @param stages the stages, in the order they run
   */
  void stages(Stage... stages);

  /**
   * Enters a stage whose total is not known yet; the count starts over at 0.
   *
   * @param name the stage's name, as declared in {@link #stages}
   */
  void stage(String name);

  /**
   * Enters a stage of {@code total} items; the count starts over at 0.
   *
   * @param name the stage's name, as declared in {@link #stages}
   * @param total how many items the stage has
   */
  void stage(String name, long total);

  // ---------------------------------------------------------------- checkpoints and items

  /**
   * Stores {@code value} (anything Jackson can write) durably with the job, so a retried, rescued
   * or replayed attempt can resume from it. Also stores the items failed so far.
   *
   * @param value the checkpoint
   * @throws java.util.concurrent.CancellationException if this attempt lost its lease: another node
   *     may run the job now, so stop
   */
  void checkpoint(Object value);

  /**
   * The last checkpoint stored by this job's attempts.
   *
   * @param <T> the checkpoint's type
   * @param type the class to read the checkpoint as
   * @return the checkpoint read as {@code type}; empty if none was stored
   */
  <T> Optional<T> checkpoint(Class<T> type);

  // ---------------------------------------------------------------- workflows

  /**
   * What the step {@code step} of this job's workflow returned, read as {@code type}: {@code
   * ctx.resultOf("sync", SyncResult.class)}; null when that step returned nothing, has not
   * succeeded (an {@code onFailure=continue} step runs after failed ones), or does not exist.
   *
   * @param <T> the result's type
   * @param step the step's name in this job's workflow
   * @param type the class to read the result as
   * @return the step's result, or null
   * @throws IllegalStateException if the result cannot be read as {@code type}
   */
  default <T> T resultOf(String step, Class<T> type) {
    throw new IllegalStateException("job " + id() + " is not a workflow step");
  }

  /**
   * This step's workflow, to add steps to it while it runs (fan-out): {@code
   * ctx.workflow().add("page-" + n, "orders.sync-page", new PageArgs(n))} adds the step {@code
   * sync/page-7} when this step is {@code sync}, and a step declared {@code after("sync/*")} waits
   * for this step and every step added under it.
   *
   * @return the workflow of this step
   * @throws IllegalStateException if this job is not a workflow step
   */
  default WorkflowSteps workflow() {
    throw new IllegalStateException("job " + id() + " is not a workflow step");
  }

  /**
   * Adds steps to the running step's workflow. Each {@code add} is one transaction; it may be
   * called from any thread while the step runs. A name added twice (by a retried attempt, say) adds
   * one step, and the second call returns the first one's id, so a step that fans out can simply
   * run again.
   */
  interface WorkflowSteps {
    /** {@return the workflow's id} */
    WorkflowId id();

    /**
     * Adds the step {@code <this step>/<name>} with no dependencies: it can run at once.
     *
     * @param name the step's name under this step
     * @param kind the step's kind
     * @param args the step's args (anything Jackson can write), or null
     * @return the step's job id (the existing one's, when the name was added before)
     * @throws IllegalArgumentException for a bad name, an unknown kind or bad args
     * @throws IllegalStateException if this step no longer runs (it ended, or lost its lease), or
     *     the workflow was cancelled
     */
    default JobId add(String name, String kind, @Nullable Object args) {
      return add(name, kind, args, StepOptions.none());
    }

    /**
     * Adds the step {@code <this step>/<name>}; {@code options.after()} names existing steps of the
     * workflow by their full names ({@code "sync/page-1"}, or {@code "sync/page-1/*"} for a group).
     *
     * @param name the step's name under this step
     * @param kind the step's kind
     * @param args the step's args (anything Jackson can write), or null
     * @param options the step's dependencies, queue, priority and failure policy
     * @return the step's job id (the existing one's, when the name was added before)
     * @throws IllegalArgumentException for a bad name, a missing step in {@code after}, a
     *     dependency that would close a cycle, an unknown kind or bad args
     * @throws IllegalStateException if this step no longer runs, or the workflow was cancelled
     */
    JobId add(String name, String kind, @Nullable Object args, StepOptions options);
  }

  /**
   * Records that one item of a bulk job failed without failing the job. The first 1,000 are kept
   * with their errors and every one is counted; {@code Offload.retryFailedItems} enqueues a
   * follow-up job for them.
   *
   * @param key the item's key, what a follow-up job gets back in {@link #retryItems()}
   * @param error why it failed
   */
  void itemFailed(String key, String error);

  /**
   * Same as {@link #itemFailed(String, String)} with the exception's class and message.
   *
   * @param key the item's key
   * @param error what the item failed with
   */
  void itemFailed(String key, Throwable error);

  /**
   * The item keys this job should process, when it is a follow-up enqueued by {@code
   * retryFailedItems}; empty otherwise.
   *
   * @return the keys of the items to retry
   */
  List<String> retryItems();

  /**
   * Thrown (usually through {@link JobContext#snooze}) to run the job again after {@code delay}
   * without using an attempt: the answer to a rate limit ("429, retry after 30 s"), not a failure.
   * No error is recorded. Throw it from anywhere in the handler's call stack.
   */
  public static final class Snooze extends RuntimeException {
    /** How long the job waits before it runs again. */
    private final Duration delay;

    /**
     * A snooze of {@code delay}.
     *
     * @param delay how long to wait before the job runs again; not negative
     */
    public Snooze(Duration delay) {
      super("snoozed for " + delay, null, false, false);
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("snooze delay must not be negative, got " + delay);
      }
      this.delay = delay;
    }

    /** {@return how long the job waits before it runs again} */
    public Duration delay() {
      return delay;
    }
  }
}
