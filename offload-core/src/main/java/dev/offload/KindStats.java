package dev.offload;

/**
 * How long a kind's recent successful runs took (the last 24 hours, at most 1,000 runs), and
 * whether it belongs in the background: a kind whose p95 exceeds the request budget keeps users
 * waiting when run inline.
 *
 * @param kind the kind
 * @param runs how many runs the figures cover
 * @param p50Ms median run time
 * @param p95Ms 95th percentile run time
 * @param maxMs longest run
 * @param budgetMs the request budget compared against
 * @param advice "inline" when p95 fits the budget, "background" when it does not
 */
public record KindStats(String kind, long runs, double p50Ms, double p95Ms, double maxMs, long budgetMs, String advice) {

  /** Figures from the durations, and the advice for {@code budgetMs}. */
  public static KindStats of(String kind, long runs, double p50Ms, double p95Ms, double maxMs, long budgetMs) {
    return new KindStats(kind, runs, p50Ms, p95Ms, maxMs, budgetMs, p95Ms <= budgetMs ? "inline" : "background");
  }
}
