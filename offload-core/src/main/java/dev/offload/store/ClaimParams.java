package dev.offload.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Claim up to {@code limit} runnable jobs of {@code queue} whose kind is in {@code kinds}, ordered
 * by priority, run_at, id; mark them running under {@code node} with {@code token}, leased for
 * {@code lease}. Nothing is claimed from a paused queue.
 *
 * @param now the engine's time: jobs with {@code run_at <= now} are due; written as started_at
 * @param lease how long the claim holds without a heartbeat, counted on the store's clock (see
 *     {@link Store}), not on {@code now}
 */
public record ClaimParams(
    String queue, List<String> kinds, int limit, String node, long token, Instant now, Duration lease) {
  public ClaimParams {
    kinds = List.copyOf(kinds);
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
  }
}
