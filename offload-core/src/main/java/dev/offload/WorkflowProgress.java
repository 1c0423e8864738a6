package dev.offload;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A workflow's progress as a whole, as {@code GET /api/workflows/{id}} shows it under {@code
 * progress}.
 *
 * <p>Each step weighs its kind's median duration over the last day ({@code weights: "durations"}; a
 * step whose kind has no recent run weighs the mean of the others), or, when none of the workflow's
 * kinds has one, the same as every other step ({@code "equal"}). A step counts its own progress,
 * 100 once it ended. The time left is, with durations, the longest chain of what remains of each
 * step (its median less the part done, or its own estimate while it runs) along the dependencies,
 * as if every step that can run ran at once; with equal weights, the time so far scaled by the part
 * left.
 *
 * @param percent 0 to 100
 * @param eta estimated seconds left, 0 once it ended, or null when there is nothing to go on yet
 * @param weights {@code durations} or {@code equal}
 */
public record WorkflowProgress(double percent, @Nullable Double eta, String weights) {

  static WorkflowProgress of(
      List<Workflow.Step> steps,
      Map<String, Double> medianMs,
      Instant createdAt,
      Instant now,
      boolean ended) {
    if (steps.isEmpty()) {
      return new WorkflowProgress(100, 0.0, "equal");
    }
    double known = 0;
    int knownCount = 0;
    for (Workflow.Step s : steps) {
      Double m = medianMs.get(s.kind());
      if (m != null) {
        known += m;
        knownCount++;
      }
    }
    boolean byDuration = knownCount > 0;
    double fallback = byDuration ? known / knownCount : 1;
    Map<String, Double> weight = new HashMap<>();
    Map<String, Workflow.Step> byName = new HashMap<>();
    double sum = 0;
    double total = 0;
    for (Workflow.Step s : steps) {
      double w = byDuration ? medianMs.getOrDefault(s.kind(), fallback) : 1;
      weight.put(s.name(), w);
      byName.put(s.name(), s);
      sum += w * done(s) / 100;
      total += w;
    }
    double percent = Math.round(sum / total * 1000) / 10.0;
    if (ended) {
      return new WorkflowProgress(100, 0.0, byDuration ? "durations" : "equal");
    }
    Double eta;
    if (byDuration) {
      Map<String, Double> finish = new HashMap<>();
      double longest = 0;
      for (Workflow.Step s : steps) {
        longest = Math.max(longest, finishMs(s, byName, weight, finish));
      }
      eta = Math.round(longest / 100) / 10.0;
    } else if (percent > 0) {
      double elapsed = Math.max(0, Duration.between(createdAt, now).toMillis());
      eta = Math.round(elapsed * (100 - percent) / percent / 100) / 10.0;
    } else {
      eta = null;
    }
    return new WorkflowProgress(percent, eta, byDuration ? "durations" : "equal");
  }

  private static double done(Workflow.Step s) {
    if (s.state().isFinal()) {
      return 100;
    }
    return s.progress() == null ? 0 : Math.max(0, Math.min(100, s.progress().percent()));
  }

  /** Milliseconds from now until {@code s} is expected to end: after its dependencies end. */
  private static double finishMs(
      Workflow.Step s,
      Map<String, Workflow.Step> byName,
      Map<String, Double> weight,
      Map<String, Double> finish) {
    Double known = finish.get(s.name());
    if (known != null) {
      return known;
    }
    // Guards against a malformed graph; a stored workflow has no cycle.
    finish.put(s.name(), 0.0);
    double start = 0;
    for (String dep : s.after()) {
      Workflow.Step d = byName.get(dep);
      if (d != null) {
        start = Math.max(start, finishMs(d, byName, weight, finish));
      }
    }
    Progress reported = s.progress();
    Double ownEta = reported == null ? null : reported.eta();
    double left;
    if (s.state().isFinal()) {
      left = 0;
    } else if (ownEta != null) {
      left = ownEta * 1000;
    } else {
      left = weight.getOrDefault(s.name(), 1.0) * (100 - done(s)) / 100;
    }
    double end = start + left;
    finish.put(s.name(), end);
    return end;
  }
}
