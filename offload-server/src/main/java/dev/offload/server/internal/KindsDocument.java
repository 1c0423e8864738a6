package dev.offload.server.internal;

import dev.offload.JobOptions;
import dev.offload.Offload;
import dev.offload.Offload.KindStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The document of {@code GET /api/kinds}, built in one place for the server and for {@code offload
 * stats --json}, so the two never drift apart: the budget, and each kind registered on this node or
 * run in the last 24 hours, with its options and run-time figures and the advice.
 */
public final class KindsDocument {
  private KindsDocument() {}

  /** {@code {"budgetMs": ..., "kinds": [...]}}, kinds in name order. */
  public static Map<String, Object> of(Offload offload, Duration budget) {
    Map<String, KindDocument> kinds = new TreeMap<>();
    offload
        .kinds()
        .forEach((kind, options) -> kinds.put(kind, KindDocument.registered(kind, options)));
    for (KindStats s : offload.kindStats(budget)) {
      kinds.merge(s.kind(), KindDocument.ran(s), KindDocument::withStats);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("budgetMs", budget.toMillis());
    doc.put("kinds", new ArrayList<>(kinds.values()));
    return doc;
  }

  /**
   * One kind in {@code GET /api/kinds}.
   *
   * @param registered whether this node has a handler for it (its options are null otherwise)
   * @param runs successful jobs in the last 24 hours that the figures cover
   * @param p50Ms median time of a job from its first start to its end, across attempts
   * @param advice "inline" when p95 fits the budget, "background" when not, null without runs
   * @param waitP50Ms median queue wait, from when a job was due to its first start; null without
   *     runs
   */
  public record KindDocument(
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
      return new KindDocument(
          kind,
          true,
          o.queue(),
          o.priority(),
          o.maxAttempts(),
          o.timeout() == null ? null : o.timeout().toMillis(),
          0,
          null,
          null,
          null,
          null,
          null,
          null);
    }

    /** A kind that ran in the last 24 hours, with its figures; its options are merged in later. */
    static KindDocument ran(KindStats s) {
      return new KindDocument(
          s.kind(),
          false,
          null,
          null,
          null,
          null,
          s.runs(),
          s.p50Ms(),
          s.p95Ms(),
          s.maxMs(),
          s.runs() == 0 ? null : s.advice(),
          s.waitP50Ms(),
          s.waitP95Ms());
    }

    /** This kind's name and options with the figures of {@code other}. */
    KindDocument withStats(KindDocument other) {
      return new KindDocument(
          kind,
          registered,
          queue,
          priority,
          maxAttempts,
          timeoutMs,
          other.runs,
          other.p50Ms,
          other.p95Ms,
          other.maxMs,
          other.advice,
          other.waitP50Ms,
          other.waitP95Ms);
    }
  }
}
