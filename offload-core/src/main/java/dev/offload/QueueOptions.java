package dev.offload;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The flow-control settings of a queue, shared by every node through the store (node-local
 * concurrency stays {@link Offload.Builder#queue(String, int)}). Immutable: each method returns a
 * copy. Every limit is off by default.
 *
 * <pre>{@code
 * QueueOptions.none().perKey(1)                      // one job per concurrencyKey at a time
 * QueueOptions.none().maxRunning(4)                  // at most 4 jobs of the queue across all nodes
 * QueueOptions.none().rate(Rate.perSecond(10))       // at most 10 starts a second, evenly spaced
 * }</pre>
 *
 * @param maxRunning at most this many jobs of the queue run at once across all nodes, or null
 * @param perKey at most this many jobs with the same {@code concurrencyKey} run at once, or null;
 *     jobs without a key are not limited by it
 * @param rate at most this many job starts per period across all nodes, or null
 * @param ratePerKey whether {@code rate} applies to each {@code concurrencyKey} on its own (jobs
 *     without a key share one budget) rather than to the whole queue
 * @param fair whether claims interleave keys (one job of each key before a second of any); on
 *     whenever {@code perKey} is set
 * @param aging after each such period of waiting past its run time, a job counts as one priority
 *     level more urgent (so low priorities never starve), or null
 */
public record QueueOptions(
    @Nullable Integer maxRunning,
    @Nullable Integer perKey,
    @Nullable Rate rate,
    boolean ratePerKey,
    boolean fair,
    @Nullable Duration aging) {
  public static final int MAX_LIMIT = 100_000;
  private static final QueueOptions NONE = new QueueOptions(null, null, null, false, false, null);

  public QueueOptions {
    if (maxRunning != null && (maxRunning < 1 || maxRunning > MAX_LIMIT)) {
      throw new IllegalArgumentException(
          "maxRunning must be between 1 and " + MAX_LIMIT + " (or none), got " + maxRunning);
    }
    if (perKey != null && (perKey < 1 || perKey > MAX_LIMIT)) {
      throw new IllegalArgumentException(
          "perKey must be between 1 and " + MAX_LIMIT + " (or none), got " + perKey);
    }
    if (ratePerKey && rate == null) {
      throw new IllegalArgumentException("ratePerKey needs a rate, such as 10/s");
    }
    if (aging != null && aging.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("aging must be at least 1s (or none), got " + aging);
    }
  }

  /** No limits: the queue runs as fast as its nodes' concurrency allows. */
  public static QueueOptions none() {
    return NONE;
  }

  public QueueOptions maxRunning(@Nullable Integer maxRunning) {
    return new QueueOptions(maxRunning, perKey, rate, ratePerKey, fair, aging);
  }

  public QueueOptions perKey(@Nullable Integer perKey) {
    return new QueueOptions(maxRunning, perKey, rate, ratePerKey, fair, aging);
  }

  /** Sets the rate; null removes it (and {@code ratePerKey} with it). */
  public QueueOptions rate(@Nullable Rate rate) {
    return new QueueOptions(maxRunning, perKey, rate, rate != null && ratePerKey, fair, aging);
  }

  public QueueOptions ratePerKey(boolean ratePerKey) {
    return new QueueOptions(maxRunning, perKey, rate, ratePerKey, fair, aging);
  }

  public QueueOptions fair(boolean fair) {
    return new QueueOptions(maxRunning, perKey, rate, ratePerKey, fair, aging);
  }

  public QueueOptions aging(@Nullable Duration aging) {
    return new QueueOptions(maxRunning, perKey, rate, ratePerKey, fair, aging);
  }

  /**
   * Whether claims of the queue need its flow-control path (a lock per queue, counting what runs);
   * a queue without any of these settings is claimed lock-free.
   */
  public boolean controlled() {
    return maxRunning != null || perKey != null || rate != null || fair || aging != null;
  }

  /** Whether a running job holds a slot of a limit ({@code maxRunning} or {@code perKey}). */
  public boolean holdsSlots() {
    return maxRunning != null || perKey != null;
  }

  /** Whether claims interleave keys: {@code fair}, or a per-key limit. */
  public boolean interleavesKeys() {
    return fair || perKey != null;
  }
}
