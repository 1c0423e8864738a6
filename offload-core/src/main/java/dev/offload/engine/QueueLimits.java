package dev.offload.engine;

import dev.offload.QueueOptions;
import dev.offload.store.Store;
import dev.offload.store.Store.QueueSettings;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of every queue's flow-control options, read from the store at most once per
 * {@value #REFRESH_MILLIS} ms when a producer asks, so an operator's change reaches every node
 * within a second. The copy only picks the claim path: a limited claim reads the settings again
 * inside its transaction, and the lock-free path claims nothing from a queue that has limits, so a
 * stale copy can delay a claim but never break a limit.
 */
final class QueueLimits {
  private static final Logger log = LoggerFactory.getLogger(QueueLimits.class);
  static final long REFRESH_MILLIS = 1_000;

  private final Store store;
  private volatile Map<String, QueueOptions> byQueue = Map.of();
  private volatile long readAtNanos;
  private volatile boolean read;

  QueueLimits(Store store) {
    this.store = store;
  }

  /** The options of {@code queue} as of at most a second ago. */
  QueueOptions of(String queue) {
    refreshIfStale();
    return byQueue.getOrDefault(queue, QueueOptions.none());
  }

  /** This node changed a queue's options: use them at once. */
  synchronized void changed(String queue, QueueOptions options) {
    Map<String, QueueOptions> next = new HashMap<>(byQueue);
    next.put(queue, options);
    byQueue = Map.copyOf(next);
  }

  private void refreshIfStale() {
    if (read && System.nanoTime() - readAtNanos < REFRESH_MILLIS * 1_000_000) {
      return;
    }
    synchronized (this) {
      if (read && System.nanoTime() - readAtNanos < REFRESH_MILLIS * 1_000_000) {
        return;
      }
      try {
        Map<String, QueueOptions> next = new HashMap<>();
        for (QueueSettings s : store.queueSettingsList()) {
          next.put(s.name(), s.options());
        }
        byQueue = Map.copyOf(next);
      } catch (RuntimeException e) {
        // The claim that follows fails the same way and is logged there; keep the last copy.
        log.debug("reading queue settings failed: {}", e.getMessage());
      }
      read = true;
      readAtNanos = System.nanoTime();
    }
  }
}
