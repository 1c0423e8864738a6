package dev.offload.internal;

import dev.offload.Job.JobId;
import dev.offload.JobContext;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a handler's two views of an attempt share, a worker's ({@code engine.Execution}) and a push
 * endpoint's ({@code push.PushInvocation}): the job's identity, the progress counts, failed items
 * given as exceptions, reading the checkpoint, and knowing whether a handler that was told to yield
 * stored a checkpoint after that ({@link #continues()}), so that it is continued, not ended.
 */
public abstract class AttemptContext implements JobContext {

  /** Where an attempt's progress counts go. */
  public interface ProgressCounts {
    void total(long total);

    void advance(long n);

    void done(long done);
  }

  private final long id;
  private final String kind;
  private final String queue;
  private final int attempt;
  private final int maxAttempts;
  private volatile boolean toldToYield;
  private volatile boolean checkpointedAfterYield;

  protected AttemptContext(long id, String kind, String queue, int attempt, int maxAttempts) {
    this.id = id;
    this.kind = kind;
    this.queue = queue;
    this.attempt = attempt;
    this.maxAttempts = maxAttempts;
  }

  /** The attempt's progress. */
  protected abstract ProgressCounts counts();

  /** The attempt's latest checkpoint as JSON, or null when there is none. */
  protected abstract @Nullable String checkpointJson();

  /** Whether the handler should return now (cancelled, or its deadline is near). */
  protected abstract boolean yieldNow();

  /** To be called when a checkpoint was stored. */
  protected final void checkpointStored() {
    if (toldToYield) {
      checkpointedAfterYield = true;
    }
  }

  /**
   * Whether the handler returned to be continued: it was told to yield and stored a checkpoint
   * after that.
   */
  public final boolean continues() {
    return toldToYield && checkpointedAfterYield;
  }

  @Override
  public final JobId id() {
    return new JobId(id);
  }

  @Override
  public final String kind() {
    return kind;
  }

  @Override
  public final String queue() {
    return queue;
  }

  @Override
  public final int attempt() {
    return attempt;
  }

  @Override
  public final int maxAttempts() {
    return maxAttempts;
  }

  @Override
  public final boolean shouldYield() {
    boolean yield = yieldNow();
    if (yield) {
      toldToYield = true;
    }
    return yield;
  }

  @Override
  public final void total(long total) {
    counts().total(total);
  }

  @Override
  public final void advance(long n) {
    counts().advance(n);
  }

  @Override
  public final void done(long done) {
    counts().done(done);
  }

  @Override
  public final void stage(String name) {
    stage(name, -1);
  }

  @Override
  public final void itemFailed(String key, Throwable error) {
    String message = error.getMessage();
    itemFailed(
        key,
        message == null
            ? error.getClass().getName()
            : error.getClass().getSimpleName() + ": " + message);
  }

  @Override
  public final <T> Optional<T> checkpoint(Class<T> type) {
    String json = checkpointJson();
    if (json == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Json.read(json, type));
    } catch (Exception e) {
      throw new IllegalStateException(
          "the checkpoint of job "
              + id
              + " is not a "
              + type.getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
