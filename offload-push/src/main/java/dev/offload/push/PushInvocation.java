package dev.offload.push;

import dev.offload.Job.Stage;
import dev.offload.internal.AttemptContext;
import dev.offload.internal.Json;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One push call, and the handler's view of it. Its deadline is the invocation's; progress goes to
 * the {@link ProgressReporter}; a checkpoint is kept for the answer and sent with the next progress
 * call. A handler that returns after {@link #shouldYield()} said true and after it stored a
 * checkpoint {@link #continues()}: the receiver answers 202 and Offload calls again from there.
 */
final class PushInvocation extends AttemptContext {
  private static final int MAX_TEXT = 1_000;

  private final PushRequest request;
  private final Instant deadline;
  private final Instant yieldAt;
  private final InstantSource clock;
  private final PushProgress progress;
  private final ProgressReporter reporter;
  private volatile boolean attemptOver;

  /** The progress call in flight, if any (written by the reporter under its lock). */
  volatile @Nullable CompletableFuture<?> inFlight;

  PushInvocation(
      PushRequest request,
      Instant deadline,
      Instant yieldAt,
      InstantSource clock,
      ProgressReporter reporter) {
    super(request.id(), request.kind(), request.queue(), request.attempt(), request.maxAttempts());
    this.request = request;
    this.deadline = deadline;
    this.yieldAt = yieldAt;
    this.clock = clock;
    this.reporter = reporter;
    this.progress = new PushProgress(request.checkpointJson());
  }

  PushRequest request() {
    return request;
  }

  PushProgress progress() {
    return progress;
  }

  /** Offload answered a progress call saying this attempt is over (cancelled, or taken over). */
  void attemptOver() {
    attemptOver = true;
  }

  @Override
  public boolean isCancelled() {
    return attemptOver;
  }

  @Override
  public Optional<Instant> deadline() {
    return Optional.of(deadline);
  }

  @Override
  protected boolean yieldNow() {
    return attemptOver || !clock.instant().isBefore(yieldAt);
  }

  @Override
  protected ProgressCounts counts() {
    return progress;
  }

  @Override
  protected @Nullable String checkpointJson() {
    return progress.checkpointJson();
  }

  @Override
  public void message(String message) {
    progress.message(shorten(message));
  }

  @Override
  public void stages(Stage... stages) {
    List<Stage> named = new ArrayList<>(stages.length);
    for (Stage s : stages) {
      named.add(Stage.of(shorten(s.name()), s.weight()));
    }
    progress.stages(named);
  }

  @Override
  public void stage(String name, long total) {
    progress.stage(shorten(name), total);
  }

  /**
   * Keeps {@code value} for this call's answer and sends it to Offload with a progress call at once
   * (in the background): unlike a worker's, it does not wait for the store, and a continuation's
   * answer carries it in any case.
   */
  @Override
  public void checkpoint(Object value) {
    progress.checkpoint(Json.write(value));
    checkpointStored();
    reporter.nudge(this);
  }

  @Override
  public void itemFailed(String key, String error) {
    progress.itemFailed(shorten(String.valueOf(key)), shorten(String.valueOf(error)));
  }

  @Override
  public List<String> retryItems() {
    return request.retryItems();
  }

  private static String shorten(String text) {
    return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 1) + "…";
  }
}
