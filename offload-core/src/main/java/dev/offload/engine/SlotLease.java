package dev.offload.engine;

import dev.offload.store.Store;
import dev.offload.store.Store.SlotGrant;
import dev.offload.store.Store.SlotRequest;
import java.time.Duration;

/**
 * This node's share of one queue's limit ({@code maxRunning}): slots leased from the store ({@link
 * Store#queueSlots}), so that the limit holds across nodes while a job that ends here hands its
 * slot to the next one here, with no write in between. The lease is asked for again every {@value
 * #RENEW_MILLIS} ms (a changed limit or a node that wants its share is heard of within a second),
 * every {@value #WANTING_MILLIS} ms while the node wants more than it holds, and at once when it
 * has work again after giving its slots back.
 *
 * <p>The lease only grows in the store before the node starts more jobs, and the node stops
 * starting jobs before it asks to hold fewer: it reports as {@code bound} what it may be running
 * until the answer comes, so the store keeps counting slots being given back. Once the lease lapses
 * without being renewed (the store unreachable), the node starts no job of the queue; a node that
 * dies stops counting when its lease lapses.
 *
 * <p>Asked for by the queue's producer thread only; {@link #allowed()} is read by any thread that
 * starts a job.
 */
final class SlotLease {
  static final long RENEW_MILLIS = 500;
  static final long WANTING_MILLIS = 50;

  private final Store store;
  private final String queue;
  private final String node;
  private volatile int allowed;
  private volatile long validUntilNanos = System.nanoTime();
  private long askedNanos;
  private long nextNanos = System.nanoTime();
  private boolean held;

  SlotLease(Store store, String queue, String node) {
    this.store = store;
    this.queue = queue;
    this.node = node;
  }

  /** {@return how many jobs of the queue this node may be running now: 0 once the lease lapsed} */
  int allowed() {
    return System.nanoTime() - validUntilNanos < 0 ? allowed : 0;
  }

  /**
   * Whether to ask the store now: the lease is due for renewal, or the node wants more than it
   * holds and has not asked in the last {@value #WANTING_MILLIS} ms.
   */
  boolean due(int wanted) {
    long now = System.nanoTime();
    return now - nextNanos >= 0
        || (wanted > allowed() && now - askedNanos >= WANTING_MILLIS * 1_000_000);
  }

  /** {@return how long until {@link #due} turns true by the clock alone} */
  Duration untilDue() {
    return Duration.ofNanos(Math.max(0, nextNanos - System.nanoTime()));
  }

  /**
   * Asks the store for {@code wanted} slots, reporting that {@code running} jobs run here.
   *
   * @return the limit the grant was measured against, or null when the queue has none any more
   */
  Integer renew(int wanted, int running, Duration lease) {
    long sent = System.nanoTime();
    int bound = Math.max(allowed(), running);
    SlotGrant grant = store.queueSlots(new SlotRequest(queue, node, wanted, bound, lease));
    askedNanos = sent;
    if (grant.maxRunning() == null) {
      allowed = 0;
      held = false;
      return null;
    }
    held = grant.allowed() > 0 || wanted > 0 || bound > 0;
    allowed = grant.allowed();
    // Counted from before the request was sent: the store's lease cannot have started earlier.
    validUntilNanos = sent + lease.toNanos();
    long renewIn = Math.min(RENEW_MILLIS * 1_000_000, lease.toNanos() / 3);
    nextNanos = sent + (grant.allowed() < wanted ? WANTING_MILLIS * 1_000_000 : renewIn);
    return grant.maxRunning();
  }

  /** Gives the slots back at once (the node stopped, or the queue lost its limit). */
  void release() {
    if (!held) {
      return; // nothing leased (allowed is 0 too): the loop of a queue without a limit stops here
    }
    held = false;
    allowed = 0;
    validUntilNanos = System.nanoTime();
    store.queueSlotsRelease(queue, node);
  }
}
