package dev.offload;

/**
 * How this node is doing, as {@link Offload#health()} sees it without reading any job: whether its
 * workers run and whether wake-ups from other nodes reach it. The store is checked apart, with
 * {@link Offload#ping()}.
 *
 * @param node this node's name
 * @param workers whether the workers are off (never started: the node only enqueues or serves),
 *     running, or down (stopped, or a worker thread died)
 * @param notifierConnected false while a notifier that listens on a database connection has lost it
 *     (workers fall back to polling, event streams lag)
 */
public record NodeHealth(String node, Workers workers, boolean notifierConnected) {
  /** The state of a node's workers. */
  public enum Workers {
    OFF,
    RUNNING,
    DOWN;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Whether nothing of this node is down. */
  public boolean up() {
    return workers != Workers.DOWN && notifierConnected;
  }
}
