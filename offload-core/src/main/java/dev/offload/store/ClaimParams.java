package dev.offload.store;

import java.time.Instant;
import java.util.List;

/**
 * Claim up to {@code limit} runnable jobs of {@code queue} whose kind is in {@code kinds}, ordered
 * by priority, run_at, id; mark them running under {@code node} with {@code token} until {@code
 * leaseUntil}. Nothing is claimed from a paused queue.
 */
public record ClaimParams(
    String queue, List<String> kinds, int limit, String node, long token, Instant now, Instant leaseUntil) {
  public ClaimParams {
    kinds = List.copyOf(kinds);
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
  }
}
