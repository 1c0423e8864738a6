package dev.offload.store;

import dev.offload.QueueOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Claim up to {@code limit} runnable jobs of {@code queue} whose kind is in {@code kinds}, ordered
 * by priority, run_at, id; mark them running under {@code node} with {@code token}, leased for
 * {@code lease}. Nothing is claimed from a paused queue.
 *
 * <p>{@code flow} is the engine's recent copy of the queue's options and only picks the path: when
 * it is {@link QueueOptions#controlled()}, the store claims under a lock for the queue, reads the
 * options afresh in that transaction and claims only what they allow; otherwise it claims lock-free
 * and takes nothing from a queue whose stored options are controlled. Slots and rates are measured
 * on the store's clock, as leases are.
 *
 * @param now the engine's time: jobs with {@code run_at <= now} are due; written as started_at
 * @param lease how long the claim holds without a heartbeat, counted on the store's clock (see
 *     {@link Store}), not on {@code now}
 */
public record ClaimParams(
    String queue,
    List<String> kinds,
    int limit,
    String node,
    long token,
    Instant now,
    Duration lease,
    QueueOptions flow) {
  /**
   * In {@code kinds}, every kind: a push queue's claim (its jobs all go to its endpoint). Kind
   * names cannot contain {@code *}.
   */
  public static final String ANY_KIND = "*";

  public ClaimParams {
    kinds = List.copyOf(kinds);
    Objects.requireNonNull(flow, "flow");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
  }

  /** A claim from a queue without flow control. */
  public ClaimParams(
      String queue,
      List<String> kinds,
      int limit,
      String node,
      long token,
      Instant now,
      Duration lease) {
    this(queue, kinds, limit, node, token, now, lease, QueueOptions.none());
  }
}
