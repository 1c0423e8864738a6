package dev.offload.cli;

import dev.offload.Job;
import dev.offload.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A long job as {@link DemoRun} follows it: the latest snapshot (replaced by the job's watcher),
 * the one the previous tick looked at, what has been announced already, and the ETA.
 *
 * <p>The ETA is the time left at the rate the job's percent grew over the last several seconds of
 * wall-clock time, measured here across attempts. The engine's own {@link
 * dev.offload.Progress#eta()} starts over with each attempt and counts a resumed attempt's {@code
 * done(n)} as work done at once, so for a sync that snoozes every few seconds it would read "1s"
 * for most of the run.
 */
final class DemoTracked {
  final long id;
  final String kind;
  final String label;
  volatile Job latest;
  Job seen;
  AutoCloseable watch;
  final Map<String, Instant> stageSeen = new HashMap<>();
  final Map<String, Duration> stageTook = new LinkedHashMap<>();
  int snoozesShown;
  int retriesShown;
  Instant repeatShownAt = Instant.EPOCH;
  private double rate = Double.NaN;
  private Instant sampledAt;
  private double sampledPercent;

  DemoTracked(Job job) {
    this.id = job.id().value();
    this.kind = job.kind();
    this.label = label(job);
    this.latest = job;
  }

  /** Feeds the percent-per-second average: samples at least 1 s apart, a time constant of 8 s. */
  void sample(Instant now) {
    Job job = latest;
    double percent = percent(job);
    if (sampledAt == null || job.state().isFinal()) {
      sampledAt = now;
      sampledPercent = percent;
      return;
    }
    double dt = Duration.between(sampledAt, now).toMillis() / 1000.0;
    if (dt < 1.0) {
      return;
    }
    double measured = Math.max(0, percent - sampledPercent) / dt;
    if (Double.isNaN(rate)) {
      if (percent > sampledPercent) {
        rate = measured;
      }
    } else {
      rate += (1 - Math.exp(-dt / 8.0)) * (measured - rate);
    }
    sampledAt = now;
    sampledPercent = percent;
  }

  /** Seconds left at the recent rate, or null while there is none. */
  Double eta() {
    Job job = latest;
    if (job.state().isFinal() || Double.isNaN(rate) || rate <= 1e-6) {
      return null;
    }
    double left = (100 - percent(job)) / rate;
    return left > 24 * 3600 ? null : left;
  }

  private static double percent(Job job) {
    return job.state() == JobState.SUCCEEDED ? 100 : job.progress() == null ? 0 : job.progress().percent();
  }

  static String label(Job job) {
    return switch (job.kind()) {
      case DemoKinds.SYNC -> (job.parentId() != null ? "sync replay #" : "orders sync #") + job.id();
      case DemoKinds.REPORT -> "monthly report #" + job.id();
      case DemoKinds.RECONCILE -> "reconciliation #" + job.id();
      default -> job.kind() + " #" + job.id();
    };
  }
}
