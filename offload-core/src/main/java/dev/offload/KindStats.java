package dev.offload;

/**
 * How long a kind's recent successful jobs took (the last 24 hours, at most 1,000 jobs), and
 * whether it belongs in the background: a kind whose p95 exceeds the request budget keeps users
 * waiting when run inline. A job's time is its whole time, from its handler's first start to its
 * end, across every attempt and the backoff between them (a 31-second sync that succeeded on its
 * second attempt took 31 seconds for its user, however short that attempt was); the queue wait
 * before the first start is shown beside it.
 *
 * @param kind the kind
 * @param runs how many jobs the figures cover
 * @param p50Ms median time from first start to end
 * @param p95Ms 95th percentile time from first start to end
 * @param maxMs longest time from first start to end
 * @param budgetMs the request budget compared against
 * @param advice "inline" when p95 fits the budget, "background" when it does not
 * @param waitP50Ms median queue wait, from when the job was due to its handler's first start
 * @param waitP95Ms 95th percentile queue wait
 */
public record KindStats(
    String kind,
    long runs,
    double p50Ms,
    double p95Ms,
    double maxMs,
    long budgetMs,
    String advice,
    double waitP50Ms,
    double waitP95Ms) {

  /** Figures from the durations, and the advice for {@code budgetMs}. */
  public static KindStats of(
      String kind,
      long runs,
      double p50Ms,
      double p95Ms,
      double maxMs,
      long budgetMs,
      double waitP50Ms,
      double waitP95Ms) {
    return new KindStats(
        kind,
        runs,
        p50Ms,
        p95Ms,
        maxMs,
        budgetMs,
        p95Ms <= budgetMs ? "inline" : "background",
        waitP50Ms,
        waitP95Ms);
  }
}
