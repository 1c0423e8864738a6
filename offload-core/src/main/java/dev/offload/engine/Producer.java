package dev.offload.engine;

import dev.offload.engine.Node.EngineConfig;
import dev.offload.store.Store;
import dev.offload.store.Store.ClaimParams;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.LeasedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims jobs of one queue and runs them, at most {@code concurrency} at a time on this node.
 *
 * <p>Claims are sized by free capacity plus a small buffer of claimed jobs waiting for a slot. The
 * buffer holds about {@value #HORIZON_MILLIS} ms of work (or twice the time a claim takes, if that
 * is longer) at the queue's recent completion rate: for short jobs that is hundreds, so one claim
 * statement serves many jobs; for jobs that run minutes it is none, so a node never sits on work
 * another node could start. A job that finishes hands its slot to the next buffered job directly.
 * Between claims that came back short it sleeps until woken by an insert notification or the poll
 * interval passes: push with pull as the safety net.
 *
 * <p>Claiming pauses while more than {@value #MAX_UNWRITTEN} finished jobs wait to be written: the
 * jobs a crash would run again stay bounded when the store writes slower than jobs finish.
 */
final class Producer implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Producer.class);
  static final long HORIZON_MILLIS = 200;
  static final int MAX_UNWRITTEN = 2 * Completer.MAX_BATCH;
  private static final Duration BACKLOG_RECHECK = Duration.ofMillis(10);
  private static final long RATE_SAMPLE_NANOS = 50_000_000L;
  private static final java.security.SecureRandom SECURE = new java.security.SecureRandom();

  private final Engine engine;
  private final Store store;
  private final String queue;
  private final List<String> kinds;
  private final int concurrency;
  private final Semaphore slots;
  // Held while a claim is made, by this producer's thread or by the completer's (rideAlong).
  private final ReentrantLock claiming = new ReentrantLock();
  // Ended jobs of this queue whose slots stay taken in the store until their completions are
  // written.
  private final AtomicInteger unwrittenSlots = new AtomicInteger();
  private final AtomicBoolean rode = new AtomicBoolean();
  private final ConcurrentLinkedQueue<Claimed> buffer = new ConcurrentLinkedQueue<>();
  private final AtomicInteger buffered = new AtomicInteger();
  private final AtomicLong completed = new AtomicLong();
  private final Wakeup wakeup = new Wakeup();
  private final OutageLog outage;
  private volatile boolean stopping;
  private volatile boolean queueLooksEmpty;
  private volatile int prefetch;
  // Rate estimate, touched by the producer thread only.
  private double rate;
  private long rateNanos = System.nanoTime();
  private long rateCompleted;
  private double claimMillis;
  private volatile dev.offload.QueueOptions flow = dev.offload.QueueOptions.none();

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

  void wake() {
    queueLooksEmpty = false;
    wakeup.signal();
  }

  void stop() {
    stopping = true;
    wakeup.signal();
  }

  /** Frees the slot of an attempt that ended, and gives it to a buffered job if there is one. */
  void slotFreed() {
    completed.incrementAndGet();
    slots.release();
    drain();
    // Under a queue limit the slot is still taken in the store until the completion is written,
    // so a claim now would find no room: the completer claims the successors in the completion's
    // transaction instead (rideAlong), or wakes this producer once it wrote it.
    if (!queueLooksEmpty && buffered.get() <= prefetch / 2 && flow.maxRunning() == null) {
      wakeup.signal();
    }
  }

  /**
   * A claimed job waiting for a slot, with the local time its claim was sent (its lease's start).
   */
  private record Claimed(
      ClaimedJob job, long claimedNanos, dev.offload.QueueOptions.@Nullable Push push) {}

  /** Starts buffered jobs while slots are free. */
  private void drain() {
    while (!stopping && !buffer.isEmpty() && slots.tryAcquire()) {
      Claimed next = buffer.poll();
      if (next == null) {
        slots.release();
        return;
      }
      buffered.decrementAndGet();
      engine.execute(next.job(), this, next.claimedNanos(), next.push());
    }
  }

  /** Ids of claimed jobs waiting for a slot; their leases need renewing too. */
  List<LeasedJob> bufferedLeases() {
    List<LeasedJob> leases = new ArrayList<>();
    buffer.forEach(c -> leases.add(new LeasedJob(c.job().id(), c.job().token())));
    return leases;
  }

  /** Takes a buffered job out if it is still held under {@code lease} (its lease was lost). */
  boolean removeBuffered(LeasedJob lease) {
    for (Claimed c : buffer) {
      if (c.job().id() == lease.id() && c.job().token() == lease.token() && buffer.remove(c)) {
        buffered.decrementAndGet();
        return true;
      }
    }
    return false;
  }

  /** Takes a buffered job out (it was cancelled); null if it is not buffered here. */
  ClaimedJob removeBuffered(long id) {
    for (Claimed c : buffer) {
      if (c.job().id() == id && buffer.remove(c)) {
        buffered.decrementAndGet();
        return c.job();
      }
    }
    return null;
  }

  /**
   * Takes out the buffered jobs claimed before {@code nanos} ({@link System#nanoTime()}): their
   * leases lapsed, so they must not start here.
   */
  List<ClaimedJob> removeClaimedBefore(long nanos) {
    List<ClaimedJob> removed = new ArrayList<>();
    for (Claimed c : buffer) {
      if (c.claimedNanos() - nanos < 0 && buffer.remove(c)) {
        buffered.decrementAndGet();
        removed.add(c.job());
      }
    }
    return removed;
  }

  /** Empties the buffer (at shutdown, after {@link #stop}); the caller releases the jobs. */
  List<ClaimedJob> takeBuffered() {
    // Waits for a ride in flight: its jobs land in the buffer first, and none starts after this.
    claiming.lock();
    try {
      List<ClaimedJob> all = new ArrayList<>();
      Claimed c;
      while ((c = buffer.poll()) != null) {
        buffered.decrementAndGet();
        all.add(c.job());
      }
      return all;
    } finally {
      claiming.unlock();
    }
  }

  @Override
  public void run() {
    EngineConfig config = engine.config();
    Backoff backoff = new Backoff();
    while (!stopping) {
      try {
        updatePrefetch(config.maxClaimBatch());
        int busy = concurrency - slots.availablePermits();
        int waiting = buffered.get();
        int room = concurrency + prefetch - busy - waiting;
        if (flow.maxRunning() != null) {
          // Those threads are the completer's to claim for (rideAlong).
          room -= unwrittenSlots.get();
        }
        if (engine.unwrittenCompletions() > MAX_UNWRITTEN) {
          wakeup.await(BACKLOG_RECHECK);
          continue;
        }
        // Claim when there is room and the buffer is at most half full; otherwise wait for slots.
        if (room <= 0 || waiting > prefetch / 2) {
          wakeup.await(config.pollInterval());
          continue;
        }
        int want = Math.min(room, config.maxClaimBatch());
        List<ClaimedJob> claimed;
        try {
          long started = System.nanoTime();
          claimed = runOnce(want);
          double took = (System.nanoTime() - started) / 1e6;
          claimMillis = claimMillis == 0 ? took : claimMillis + 0.2 * (took - claimMillis);
          outage.succeeded();
          backoff.reset();
        } catch (RuntimeException e) {
          outage.failed(e);
          backoff.pause();
          continue;
        }
        queueLooksEmpty = claimed.size() < want;
        if (queueLooksEmpty) {
          wakeup.await(shortClaimWait(config.pollInterval()));
        }
      } catch (InterruptedException e) {
        break;
      }
    }
  }

  private void updatePrefetch(int maxClaimBatch) {
    long now = System.nanoTime();
    long dt = now - rateNanos;
    if (dt < RATE_SAMPLE_NANOS) {
      return;
    }
    long done = completed.get();
    double measured = (done - rateCompleted) * 1e9 / dt;
    // Rises at once with the rate, decays over about a second when jobs slow down.
    rate = measured > rate ? measured : rate + (1 - Math.exp(-dt / 1e9)) * (measured - rate);
    rateNanos = now;
    rateCompleted = done;
    // A slow claim (a big table without statistics, a busy database) needs a longer horizon, or
    // the buffer runs dry between claims and the claims shrink further.
    double horizonMillis = Math.max(HORIZON_MILLIS, 2 * claimMillis);
    prefetch = (int) Math.min(maxClaimBatch, Math.round(rate * horizonMillis / 1000.0));
    if (flow.maxRunning() != null || flow.rate() != null) {
      // A claimed job holds a slot of its queue (or a start of its rate) from the moment it is
      // claimed: buffering it here would keep it from a node with a free thread, and a buffered
      // job of a rate would start later than its start was counted, bunched with others. A
      // per-key limit alone buffers like any queue: a buffered job holds only its own key's slot,
      // and only for the buffer's short horizon, while every other key stays free for any node.
      prefetch = 0;
    }
  }

  /**
   * How long to wait after a claim that came back short. A rate-limited queue may have jobs that
   * were only held back until the next start is due: look again after one rate interval (at least
   * 10 ms) rather than a whole poll interval, or the queue would run far below its rate.
   */
  private Duration shortClaimWait(Duration pollInterval) {
    dev.offload.QueueOptions.Rate r = flow.rate();
    if (r == null) {
      return pollInterval;
    }
    Duration interval = r.interval();
    if (interval.compareTo(Duration.ofMillis(10)) < 0) {
      interval = Duration.ofMillis(10);
    }
    return interval.compareTo(pollInterval) < 0 ? interval : pollInterval;
  }

  /** Claims up to {@code limit} jobs, buffers them and starts as many as slots allow. */
  List<ClaimedJob> runOnce(int limit) {
    claiming.lock();
    try {
      Claim claim = claim(limit);
      List<ClaimedJob> claimed = store.jobClaim(claim.params());
      accept(claim, claimed);
      return claimed;
    } finally {
      claiming.unlock();
    }
  }

  /**
   * A claim about to be sent, with the local time it was sent (its jobs' leases cannot have started
   * earlier) and the queue's push settings when they were taken.
   */
  record Claim(
      Producer producer,
      ClaimParams params,
      long claimedNanos,
      dev.offload.QueueOptions.@Nullable Push push) {}

  private Claim claim(int limit) {
    EngineConfig config = engine.config();
    Instant now = config.clock().instant();
    flow = engine.limits().of(queue);
    dev.offload.QueueOptions.Push push = flow.push();
    // A push job's token is derived from its claim token (PushTokens): unguessable there.
    long token =
        push == null
            ? ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE)
            : 1 + (SECURE.nextLong() & (Long.MAX_VALUE - 1));
    Duration lease = config.leaseDuration();
    // Taken before the claim is sent: the lease cannot have started earlier, so a lease counted
    // from here is never thought to last longer than it does.
    long claimedNanos = System.nanoTime();
    ClaimParams params =
        new ClaimParams(
            queue,
            // A push queue's jobs all go to its endpoint, whatever their kind.
            push == null ? kinds : List.of(ClaimParams.ANY_KIND),
            limit,
            config.node(),
            token,
            now,
            lease,
            flow);
    return new Claim(this, params, claimedNanos, push);
  }

  private void accept(Claim claim, List<ClaimedJob> claimed) {
    buffered.addAndGet(claimed.size());
    claimed.forEach(job -> buffer.add(new Claimed(job, claim.claimedNanos(), claim.push())));
    drain();
  }

  /**
   * A claim for the free threads of a queue with a queue limit, to be made in the transaction that
   * writes completions of this queue ({@link Store#jobCompleteManyThenClaim}): the slots they free
   * go to successors in that commit. Null when this queue has no queue limit, no thread is free, or
   * this producer is claiming itself; otherwise this producer claims nothing else until {@link
   * #rideEnded} (called on the same thread), so the two never claim the same threads twice.
   */
  @Nullable Claim rideAlong() {
    if (stopping || flow.maxRunning() == null || !claiming.tryLock()) {
      return null;
    }
    // Checked again under the lock: takeBuffered holds it, so no ride lands after the buffer was
    // emptied at shutdown.
    int room = stopping ? 0 : slots.availablePermits() - buffered.get();
    if (room <= 0) {
      claiming.unlock();
      return null;
    }
    return claim(Math.min(room, engine.config().maxClaimBatch()));
  }

  /** The jobs a ride claimed (committed with the completions): run them. */
  void rode(Claim claim, List<ClaimedJob> claimed) {
    queueLooksEmpty = claimed.size() < claim.params().limit();
    rode.set(true);
    accept(claim, claimed);
  }

  /**
   * Completions that held slots of this queue were written: claim for the freed slots, unless the
   * completion's own transaction just did ({@link #rode}; a claim now would find the room it left
   * taken by the other nodes, or by this node's completions still unwritten).
   */
  void slotsWritten(int n) {
    unwrittenSlots.addAndGet(-n);
    if (!rode.getAndSet(false)) {
      wake();
    }
  }

  /**
   * A job that held a slot of this queue ended here and its completion waits to be written: under a
   * queue limit the thread it frees is the completer's to claim for (in that write's transaction),
   * not this producer's, whose claim now would find the slot still taken.
   */
  void slotUnwritten() {
    unwrittenSlots.incrementAndGet();
  }

  /** Ends a {@link #rideAlong} claim, whether or not its transaction committed. */
  void rideEnded() {
    claiming.unlock();
  }
}
