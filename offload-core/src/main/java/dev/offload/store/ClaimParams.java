package dev.offload.store;

import dev.offload.QueueOptions;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Claim up to {@code limit} runnable jobs of {@code queue} whose kind is in {@code kinds}, ordered
 * by priority, run_at, id; mark them running under {@code node} with {@code token} until {@code
 * leaseUntil}. Nothing is claimed from a paused queue.
 *
 * <p>{@code flow} is the engine's recent copy of the queue's options and only picks the path: when
 * it is {@link QueueOptions#controlled()}, the store claims under a lock for the queue, reads the
 * options afresh in that transaction and claims only what they allow (see {@link
 * Store#jobClaim}); otherwise it claims lock-free and takes nothing from a queue whose stored
 * options are controlled.
 */
public record ClaimParams(
    String queue, List<String> kinds, int limit, String node, long token, Instant now, Instant leaseUntil,
    QueueOptions flow) {
  public ClaimParams {
    kinds = List.copyOf(kinds);
    Objects.requireNonNull(flow, "flow");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
  }

  /** A claim from a queue without flow control. */
  public ClaimParams(String queue, List<String> kinds, int limit, String node, long token, Instant now, Instant leaseUntil) {
    this(queue, kinds, limit, node, token, now, leaseUntil, QueueOptions.none());
  }
}
