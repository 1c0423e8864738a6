package dev.offload.server;

import dev.offload.JobOptions;
import dev.offload.KindStats;
import dev.offload.Offload;
import dev.offload.QueueStats;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** {@code GET /api/queues}, {@code POST /api/queues/{name}/pause|resume}, {@code GET /api/kinds}. */
final class QueuesApi {
  private final Offload offload;
  private final Duration requestBudget;

  QueuesApi(Offload offload, Duration requestBudget) {
    this.offload = offload;
    this.requestBudget = requestBudget;
  }

  /** {@code {"queues": [...]}}: counts per state, running, throughput and latency over the last minute. */
  void list(Context ctx) {
    Http.json(ctx, 200, Map.of("queues", QueueDocument.all(offload)));
  }

  void pause(Context ctx) {
    setPaused(ctx, true);
  }

  void resume(Context ctx) {
    setPaused(ctx, false);
  }

  private void setPaused(Context ctx, boolean paused) {
    String name = ctx.pathParam("name");
    try {
      if (paused) {
        offload.pauseQueue(name);
      } else {
        offload.resumeQueue(name);
      }
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("name", e.getMessage());
    }
    QueueDocument doc = QueueDocument.all(offload).stream()
        .filter(q -> q.name().equals(name))
        .findFirst()
        .orElseGet(() -> QueueDocument.of(new QueueStats(name, paused, Map.of(), 0, null, null)));
    Http.json(ctx, 200, doc);
  }

  /**
   * {@code GET /api/kinds?budget=10s}: each kind registered on this node or run in the last 24
   * hours, with its options (when registered here) and run-time figures, and the advice: a kind
   * whose p95 exceeds the request budget belongs in the background.
   */
  void kinds(Context ctx) {
    String budgetText = Http.param(ctx, "budget");
    Duration budget = budgetText == null ? requestBudget : Durations.param("budget", budgetText);
    if (budget.isZero()) {
      throw ApiException.invalid("budget", "budget must be more than 0, got '" + budgetText + "'");
    }
    Map<String, KindDocument> kinds = new TreeMap<>();
    offload.kinds().forEach((kind, options) -> kinds.put(kind, KindDocument.registered(kind, options)));
    for (KindStats s : offload.kindStats(budget)) {
      kinds.merge(s.kind(), KindDocument.ran(s), KindDocument::withStats);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("budgetMs", budget.toMillis());
    doc.put("kinds", new ArrayList<>(kinds.values()));
    Http.json(ctx, 200, doc);
  }

  /**
   * One kind in {@code GET /api/kinds}.
   *
   * @param registered whether this node has a handler for it (its options are null otherwise)
   * @param runs successful jobs in the last 24 hours that the figures cover
   * @param p50Ms median time of a job from its first start to its end, across attempts
   * @param advice "inline" when p95 fits the budget, "background" when not, null without runs
   * @param waitP50Ms median queue wait, from when a job was due to its first start; null without runs
   */
  record KindDocument(
      String kind,
      boolean registered,
      String queue,
      Integer priority,
      Integer maxAttempts,
      Long timeoutMs,
      long runs,
      Double p50Ms,
      Double p95Ms,
      Double maxMs,
      String advice,
      Double waitP50Ms,
      Double waitP95Ms) {

    static KindDocument registered(String kind, JobOptions o) {
      return new KindDocument(kind, true, o.queue(), o.priority(), o.maxAttempts(),
          o.timeout() == null ? null : o.timeout().toMillis(), 0, null, null, null, null, null, null);
    }

    static KindDocument ran(KindStats s) {
      return new KindDocument(s.kind(), false, null, null, null, null, 0, null, null, null, null, null, null).withStats(s);
    }

    KindDocument withStats(KindDocument other) {
      return new KindDocument(kind, registered, queue, priority, maxAttempts, timeoutMs,
          other.runs, other.p50Ms, other.p95Ms, other.maxMs, other.advice, other.waitP50Ms, other.waitP95Ms);
    }

    KindDocument withStats(KindStats s) {
      return new KindDocument(kind, registered, queue, priority, maxAttempts, timeoutMs,
          s.runs(), s.p50Ms(), s.p95Ms(), s.maxMs(), s.runs() == 0 ? null : s.advice(), s.waitP50Ms(), s.waitP95Ms());
    }
  }
}
