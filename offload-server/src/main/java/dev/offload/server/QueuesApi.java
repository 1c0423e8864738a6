package dev.offload.server;

import dev.offload.Offload;
import dev.offload.QueueStats;
import dev.offload.server.internal.KindsDocument;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Map;

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
    Map<String, Object> doc = KindsDocument.of(offload, budget);
    Http.json(ctx, 200, doc);
  }
}
