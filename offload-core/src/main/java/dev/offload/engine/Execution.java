package dev.offload.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.offload.Job.FailedItems;
import dev.offload.Job.Stage;
import dev.offload.engine.Node.Registration;
import dev.offload.internal.AttemptContext;
import dev.offload.internal.Json;
import dev.offload.store.Store.ClaimedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One attempt of one job on this node, and the handler's view of it. Whoever ends the attempt first
 * (the handler, its timeout, a shutdown) {@link #settle()}s it; the others then do nothing, so a
 * handler that outlives its timeout cannot write a second outcome.
 */
final class Execution extends AttemptContext {
  private static final TypeReference<List<String>> KEYS = new TypeReference<>() {};

  final ClaimedJob job;
  final Registration<?> registration;
  final Producer producer;
  final ProgressTracker progress;
  private final Engine engine;
  private final AtomicBoolean settled = new AtomicBoolean();
  private volatile boolean cancelled;

  /** Start plus the kind's timeout; null when it has none. */
  private final Instant deadline;

  /** When {@link #shouldYield()} turns true for the deadline; null when there is none. */
  private final Instant yieldAt;

  private volatile String checkpointJson;
  final long startedMillis = System.currentTimeMillis();

  /** When the handler started, on the engine's clock: the job's started_at. */
  final Instant startedAt;

  /** Whether the store has {@link #startedAt} (the progress reporter writes it within a tick). */
  volatile boolean startWritten;

  /**
   * When the claim of this attempt was sent ({@link System#nanoTime()}): its lease started later.
   */
  final long claimedNanos;

  volatile Thread thread;
  volatile ScheduledFuture<?> timeout;

  /** A push attempt's request in flight (see {@link PushDispatcher}); null for a handler. */
  volatile java.util.concurrent.Future<?> call;

  /** How many 202 continuations a push attempt answered so far. */
  volatile int continuations;

  Execution(
      Engine engine,
      ClaimedJob job,
      Registration<?> registration,
      Producer producer,
      long claimedNanos) {
    super(job.id(), job.kind(), job.queue(), job.attempt(), job.maxAttempts());
    this.engine = engine;
    this.claimedNanos = claimedNanos;
    this.startedAt = engine.config().clock().instant();
    Duration timeout = registration == null ? null : registration.options().timeout();
    this.deadline = timeout == null ? null : startedAt.plus(timeout);
    this.yieldAt = timeout == null ? null : deadline.minus(yieldMargin(timeout));
    this.job = job;
    this.registration = registration;
    this.producer = producer;
    this.checkpointJson = job.checkpointJson();
    this.progress =
        new ProgressTracker(System.nanoTime(), readFailedItems(job), engine.takeEtaCarry(job.id()));
  }

  private static FailedItems readFailedItems(ClaimedJob job) {
    if (job.failedItemsJson() == null) {
      return null;
    }
    try {
      return Json.read(job.failedItemsJson(), FailedItems.class);
    } catch (Exception e) {
      return null;
    }
  }

  /** True for the one caller that ends this attempt. */
  boolean settle() {
    if (!settled.compareAndSet(false, true)) {
      return false;
    }
    ScheduledFuture<?> t = timeout;
    if (t != null) {
      t.cancel(false);
    }
    return true;
  }

  boolean isSettled() {
    return settled.get();
  }

  /** Marks the attempt cancelled and interrupts the handler's thread (or cuts its push off). */
  void interrupt() {
    cancelled = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
    java.util.concurrent.Future<?> c = call;
    if (c != null) {
      c.cancel(true);
    }
  }

  /**
   * A push attempt's latest checkpoint: sets it when {@code json} is given by a continuation,
   * returns the current one (the claimed job's until a continuation stored another).
   */
  String pushCheckpoint(String json) {
    if (json != null) {
      checkpointJson = json;
    }
    return checkpointJson;
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  /**
   * How long before the deadline {@link #shouldYield()} turns true: a fifth of the time the attempt
   * was given, at most 30 s, so a short attempt keeps most of its time and a long one does not
   * waste minutes.
   */
  static Duration yieldMargin(Duration budget) {
    Duration fifth = budget.dividedBy(5);
    return fifth.compareTo(MAX_YIELD_MARGIN) > 0 ? MAX_YIELD_MARGIN : fifth;
  }

  private static final Duration MAX_YIELD_MARGIN = Duration.ofSeconds(30);

  @Override
  public Optional<Instant> deadline() {
    return Optional.ofNullable(deadline);
  }

  @Override
  protected boolean yieldNow() {
    return cancelled || (yieldAt != null && !engine.config().clock().instant().isBefore(yieldAt));
  }

  @Override
  protected ProgressCounts counts() {
    return progress;
  }

  @Override
  protected String checkpointJson() {
    return checkpointJson;
  }

  @Override
  public void message(String message) {
    progress.message(HumanText.storable(message));
  }

  @Override
  public void stages(Stage... stages) {
    List<Stage> named = new java.util.ArrayList<>(stages.length);
    for (Stage s : stages) {
      named.add(Stage.of(HumanText.storable(s.name()), s.weight()));
    }
    progress.stages(named, engine.stageHistory(job.kind()));
    engine.progressChanged();
  }

  @Override
  public void stage(String name, long total) {
    progress.stage(HumanText.storable(name), total, System.nanoTime());
    engine.progressChanged();
  }

  @Override
  public void checkpoint(Object value) {
    String json = Json.write(value);
    String failed = progress.hasFailedItems() ? Json.write(progress.failedItems()) : null;
    if (!engine.writeCheckpoint(this, json, failed)) {
      interrupt();
      throw new CancellationException(
          "job "
              + job.id()
              + " lost its lease (it was rescued, released or cancelled); stop this attempt");
    }
    checkpointJson = json;
    checkpointStored();
  }

  @Override
  public WorkflowSteps workflow() {
    return engine.stepAdder(job.id());
  }

  @Override
  public <T> T resultOf(String step, Class<T> type) {
    java.util.Optional<String> json = engine.stepResult(job.id(), step);
    if (json.isEmpty()) {
      return null;
    }
    try {
      return Json.read(json.get(), type);
    } catch (Exception e) {
      throw new IllegalStateException(
          "the result of step '"
              + step
              + "' is not a "
              + type.getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public void itemFailed(String key, String error) {
    progress.itemFailed(String.valueOf(key), HumanText.storable(error));
  }

  @Override
  public List<String> retryItems() {
    if (job.retryItemsJson() == null) {
      return List.of();
    }
    try {
      return Json.read(job.retryItemsJson(), KEYS);
    } catch (Exception e) {
      throw new IllegalStateException(
          "job " + job.id() + " has unreadable retry items: " + e.getMessage(), e);
    }
  }
}
