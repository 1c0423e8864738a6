package dev.offload.engine;

import dev.offload.Job.FailedItems;
import dev.offload.Job.Progress;
import dev.offload.Job.Progress.StageProgress;
import dev.offload.Job.Stage;
import dev.offload.internal.AttemptContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live progress of one attempt. The handler's thread counts ({@link #advance} is an atomic add
 * and a flag, cheap enough per item in a hot loop); the reporter's thread samples and snapshots it
 * and decides when to write. Stage changes are rare and synchronized.
 */
final class ProgressTracker implements AttemptContext.ProgressCounts {
  private final AtomicLong done = new AtomicLong();
  private volatile long total = -1;
  private volatile String message;
  private volatile boolean dirty;
  private volatile boolean urgent;
  // Set until the stage's first advance: a done(n) before it is where a resumed stage starts.
  private volatile boolean stageFresh = true;
  private volatile long rebaseTo = -1;
  private final AtomicLong failedCount = new AtomicLong();
  private final List<FailedItems.Item> failedItems = new ArrayList<>();

  // Guarded by this.
  private List<Stage> stages = List.of();
  private int stageIndex = -1;
  private long[] stageStartNanos = new long[0];
  private Long[] stageDurationMs = new Long[0];
  private Map<String, Long> history = Map.of();
  private final EtaEstimator eta;
  // The previous attempt's estimate, used once if this attempt resumes the same stage; guarded by
  // this.
  private Carry carried;

  /**
   * Where the ETA of an attempt that ended stood, for the job's next attempt on this node.
   *
   * @param stage the stage it was in, or null without stages
   */
  record Carry(String stage, EtaEstimator.State eta) {}

  /**
   * The longest gap between attempts over which an estimate is carried: after a long backoff, start
   * afresh.
   */
  static final long MAX_CARRY_GAP_NANOS = 60_000_000_000L;

  ProgressTracker(long nowNanos, FailedItems previousFailures) {
    this(nowNanos, previousFailures, null);
  }

  ProgressTracker(long nowNanos, FailedItems previousFailures, Carry carried) {
    this.carried = carried;
    this.eta = new EtaEstimator(nowNanos, 0);
    if (previousFailures != null) {
      failedItems.addAll(previousFailures.items());
      failedCount.set(previousFailures.count());
    }
  }

  // ---------------------------------------------------------------- handler side

  @Override
  public void total(long total) {
    if (total < 0) {
      throw new IllegalArgumentException("total must not be negative, got " + total);
    }
    this.total = total;
    dirty = true;
  }

  @Override
  public void advance(long n) {
    done.addAndGet(n);
    if (stageFresh) {
      stageFresh = false;
    }
    if (!dirty) {
      dirty = true;
    }
  }

  /**
   * Sets the count. Before the stage's first {@link #advance} it is the stage's starting point (a
   * run resuming from a checkpoint), not work done now, so the rate starts counting from it.
   */
  @Override
  public void done(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("done must not be negative, got " + n);
    }
    done.set(n);
    if (stageFresh) {
      rebaseTo = n;
    }
    dirty = true;
  }

  void message(String message) {
    this.message = message;
    dirty = true;
  }

  synchronized void stages(List<Stage> declared, Map<String, Long> history) {
    if (declared.isEmpty()) {
      throw new IllegalArgumentException("declare at least one stage");
    }
    if (declared.stream().map(Stage::name).distinct().count() != declared.size()) {
      throw new IllegalArgumentException(
          "stage names must be distinct, got " + declared.stream().map(Stage::name).toList());
    }
    this.stages = List.copyOf(declared);
    this.stageIndex = -1;
    this.stageStartNanos = new long[declared.size()];
    this.stageDurationMs = new Long[declared.size()];
    this.history = Map.copyOf(history);
    markUrgent();
  }

  /**
   * Enters a stage: the counters start over for it. A stage not declared is added with weight 1.
   */
  synchronized void stage(String name, long stageTotal, long nowNanos) {
    int index = indexOf(name);
    if (index < 0) {
      List<Stage> more = new ArrayList<>(stages);
      more.add(Stage.of(name, 1));
      stages = List.copyOf(more);
      stageStartNanos = java.util.Arrays.copyOf(stageStartNanos, more.size());
      stageDurationMs = java.util.Arrays.copyOf(stageDurationMs, more.size());
      index = more.size() - 1;
    }
    finishStagesBefore(index, nowNanos);
    stageIndex = index;
    stageStartNanos[index] = nowNanos;
    stageDurationMs[index] = null;
    done.set(0);
    total = stageTotal;
    eta.reset(nowNanos, 0);
    stageFresh = true;
    rebaseTo = -1;
    markUrgent();
  }

  private void finishStagesBefore(int index, long nowNanos) {
    if (stageIndex >= 0 && stageIndex < index && stageDurationMs[stageIndex] == null) {
      stageDurationMs[stageIndex] = (nowNanos - stageStartNanos[stageIndex]) / 1_000_000;
    }
    for (int i = 0; i < index; i++) {
      if (stageDurationMs[i] == null) {
        stageDurationMs[i] = 0L;
      }
    }
  }

  private int indexOf(String name) {
    for (int i = 0; i < stages.size(); i++) {
      if (stages.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  void itemFailed(String key, String error) {
    long n = failedCount.incrementAndGet();
    if (n <= FailedItems.KEPT) {
      synchronized (failedItems) {
        if (failedItems.size() < FailedItems.KEPT) {
          failedItems.add(new FailedItems.Item(key, error));
        }
      }
    }
    dirty = true;
  }

  FailedItems failedItems() {
    synchronized (failedItems) {
      return new FailedItems(failedCount.get(), failedItems);
    }
  }

  boolean hasFailedItems() {
    return failedCount.get() > 0;
  }

  private void markUrgent() {
    urgent = true;
    dirty = true;
  }

  // ---------------------------------------------------------------- reporter side

  boolean isDirty() {
    return dirty;
  }

  boolean isUrgent() {
    return urgent;
  }

  synchronized void sample(long nowNanos) {
    long base = rebaseTo;
    if (base >= 0) {
      rebaseTo = -1;
      Carry c = carried;
      carried = null;
      String stageName = stageIndex >= 0 ? stages.get(stageIndex).name() : null;
      if (c != null
          && java.util.Objects.equals(c.stage(), stageName)
          && base >= c.eta().lastDone()
          && nowNanos - c.eta().lastNanos() <= MAX_CARRY_GAP_NANOS) {
        eta.resume(c.eta());
      } else {
        eta.reset(nowNanos, base);
      }
    }
    eta.sample(nowNanos, done.get());
  }

  /** Where this attempt's ETA stands, for the job's next attempt (see {@link EtaEstimator}). */
  synchronized Carry carry() {
    return new Carry(stageIndex >= 0 ? stages.get(stageIndex).name() : null, eta.state());
  }

  /** The progress now, clearing the dirty flags. */
  synchronized Progress snapshot(long nowNanos, Instant now) {
    dirty = false;
    urgent = false;
    return build(nowNanos, now, false);
  }

  /** The progress of an attempt that ended; a succeeded job is at 100 %. */
  synchronized Progress finalSnapshot(long nowNanos, Instant now, boolean succeeded) {
    if (succeeded && stageIndex >= 0) {
      finishStagesBefore(stages.size(), nowNanos);
      if (stageDurationMs[stageIndex] == null || stageIndex == stages.size() - 1) {
        stageDurationMs[stageIndex] = (nowNanos - stageStartNanos[stageIndex]) / 1_000_000;
      }
    }
    return build(nowNanos, now, succeeded);
  }

  /** Whether anything was ever reported, so a job that never reports stores no progress. */
  synchronized boolean reported() {
    return !stages.isEmpty()
        || total >= 0
        || done.get() > 0
        || message != null
        || failedCount.get() > 0;
  }

  private Progress build(long nowNanos, Instant now, boolean complete) {
    long d = done.get();
    long t = total;
    String stageName = stageIndex >= 0 ? stages.get(stageIndex).name() : null;
    Double etaSeconds;
    double percent;
    List<StageProgress> stageViews = new ArrayList<>(stages.size());
    if (stages.isEmpty()) {
      percent = complete ? 100 : fraction(d, t) * 100;
      etaSeconds = complete ? Double.valueOf(0) : eta.secondsLeft(d, t);
    } else {
      double weights = 0;
      double weighted = 0;
      for (int i = 0; i < stages.size(); i++) {
        Stage s = stages.get(i);
        double f;
        if (complete || i < stageIndex) {
          f = 1;
        } else if (i == stageIndex) {
          f = fraction(d, t);
        } else {
          f = 0;
        }
        weights += s.weight();
        weighted += s.weight() * f;
        stageViews.add(new StageProgress(s.name(), s.weight(), round(f * 100), stageDurationMs[i]));
      }
      percent = weighted / weights * 100;
      etaSeconds = complete ? Double.valueOf(0) : stagedEta(d, t, nowNanos);
    }
    return new Progress(
        round(percent),
        d,
        t < 0 ? null : t,
        stageName,
        stageViews,
        message,
        etaSeconds == null ? null : round(etaSeconds),
        failedCount.get(),
        now);
  }

  /**
   * Seconds left in the current stage, plus for each stage not started yet the median time earlier
   * runs of this kind took for it, or, without history, the current stage's projected duration
   * scaled by the stages' weights.
   */
  private Double stagedEta(long d, long t, long nowNanos) {
    if (stageIndex < 0) {
      return null;
    }
    Double current = eta.secondsLeft(d, t);
    if (current == null) {
      return null;
    }
    double elapsed = (nowNanos - stageStartNanos[stageIndex]) / 1e9;
    double currentStageSeconds = elapsed + current;
    double currentWeight = stages.get(stageIndex).weight();
    double left = current;
    for (int i = stageIndex + 1; i < stages.size(); i++) {
      Stage s = stages.get(i);
      Long pastMs = history.get(s.name());
      left += pastMs != null ? pastMs / 1000.0 : currentStageSeconds * s.weight() / currentWeight;
    }
    return left > EtaEstimator.MAX_SECONDS ? null : left;
  }

  private static double fraction(long d, long t) {
    if (t <= 0) {
      return t == 0 ? 1 : 0;
    }
    return Math.min(1.0, (double) d / t);
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
