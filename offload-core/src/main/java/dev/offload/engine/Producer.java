package dev.offload.engine;

import dev.offload.store.ClaimParams;
import dev.offload.store.ClaimedJob;
import dev.offload.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims jobs of one queue and hands them to the engine, at most {@code concurrency} at a time on
 * this node. Each claim asks for as many jobs as there are free slots (up to the batch limit), in
 * one statement. Between claims that came back short it sleeps until woken by an insert
 * notification or the poll interval passes: push with pull as the safety net.
 */
final class Producer implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Producer.class);

  private final Engine engine;
  private final Store store;
  private final String queue;
  private final List<String> kinds;
  private final int concurrency;
  private final Semaphore slots;
  private final Wakeup wakeup = new Wakeup();
  private final OutageLog outage;
  private volatile boolean stopping;

  Producer(Engine engine, Store store, String queue, List<String> kinds, int concurrency) {
    this.engine = engine;
    this.store = store;
    this.queue = queue;
    this.kinds = List.copyOf(kinds);
    this.concurrency = concurrency;
    this.slots = new Semaphore(concurrency);
    this.outage = new OutageLog(log, "claiming jobs of queue '" + queue + "'");
  }

  String queue() {
    return queue;
  }

  int concurrency() {
    return concurrency;
  }

  void wake() {
    wakeup.signal();
  }

  void stop() {
    stopping = true;
    wakeup.signal();
  }

  /** Frees the slot of an attempt that ended. */
  void slotFreed() {
    slots.release();
  }

  @Override
  public void run() {
    EngineConfig config = engine.config();
    Backoff backoff = new Backoff();
    while (!stopping) {
      try {
        slots.acquire();
        int free = 1 + slots.drainPermits();
        int want = Math.min(free, config.maxClaimBatch());
        slots.release(free - want);
        if (stopping) {
          slots.release(want);
          break;
        }
        List<ClaimedJob> claimed;
        try {
          claimed = runOnce(want);
          outage.succeeded();
          backoff.reset();
        } catch (RuntimeException e) {
          slots.release(want);
          outage.failed(e);
          backoff.pause();
          continue;
        }
        slots.release(want - claimed.size());
        if (claimed.size() < want) {
          wakeup.await(config.pollInterval());
        }
      } catch (InterruptedException e) {
        break;
      }
    }
  }

  /** Claims up to {@code limit} jobs and starts them; the caller holds {@code limit} slots. */
  List<ClaimedJob> runOnce(int limit) {
    EngineConfig config = engine.config();
    Instant now = config.clock().instant();
    long token = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    Duration lease = config.leaseDuration();
    List<ClaimedJob> claimed =
        store.jobClaim(new ClaimParams(queue, kinds, limit, config.node(), token, now, now.plus(lease)));
    for (ClaimedJob job : claimed) {
      engine.execute(job, this);
    }
    return claimed;
  }
}
