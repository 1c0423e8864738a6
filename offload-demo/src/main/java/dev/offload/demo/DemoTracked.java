package dev.offload.demo;

import dev.offload.Job;
import dev.offload.Job.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A long job as {@link DemoRun} follows it: the latest snapshot (replaced by the job's watcher),
 * the one the previous tick looked at, what has been announced already, and the ETA shown.
 *
 * <p>The ETA is the engine's ({@link Progress#eta()}, the one the dashboard and the API show). Each
 * attempt measures its rate afresh, so right after a snooze (the sync meets the upstream's rate
 * limit every few seconds) the engine has no estimate yet; until it has one again the line keeps
 * counting down the last one rather than going blank.
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
  private Double lastEta;
  private Instant lastEtaAt;

  DemoTracked(Job job) {
    this.id = job.id().value();
    this.kind = job.kind();
    this.label = label(job);
    this.latest = job;
  }

  /** Seconds left as of {@code now}, or null while there is no estimate. */
  Double eta(Instant now) {
    Job job = latest;
    if (job.state().isFinal()) {
      return null;
    }
    Progress p = job.progress();
    if (p != null && p.eta() != null) {
      lastEta = p.eta();
      lastEtaAt = p.updatedAt() != null ? p.updatedAt() : now;
    }
    if (lastEta == null) {
      return null;
    }
    double since = Math.max(0, Duration.between(lastEtaAt, now).toMillis() / 1000.0);
    return Math.max(0, lastEta - since);
  }

  static String label(Job job) {
    return switch (job.kind()) {
      case DemoKinds.SYNC ->
          (job.parentId() != null ? "sync replay #" : "orders sync #") + job.id();
      case DemoKinds.REPORT -> "monthly report #" + job.id();
      case DemoKinds.RECONCILE -> "reconciliation #" + job.id();
      case DemoKinds.NOTIFY -> "notify finance #" + job.id();
      default -> job.kind() + " #" + job.id();
    };
  }
}
