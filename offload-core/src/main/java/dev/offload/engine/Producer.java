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
import java.util.concurrent.ThreadLocalRandom;
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
 * <p>Under a queue limit ({@code maxRunning}) this node runs at most the slots it leases ({@link
 * SlotLease}), and sizes its claims by them; a job that ends hands its slot to the next buffered
 * one as any other does.
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
  // Jobs of this queue started here and not yet ended: at most concurrency, and under a queue
  // limit at most the slots leased.
  private final AtomicInteger running = new AtomicInteger();
  private final SlotLease slotLease;
  // Held while a claim is made, so that a claim in flight lands before the buffer is emptied.
  private final ReentrantLock claiming = new ReentrantLock();
  private final ConcurrentLinkedQueue<Claimed> buffer = new ConcurrentLinkedQueue<>();
  private final AtomicInteger buffered = new AtomicInteger();
  private final AtomicLong completed = new AtomicLong();
  private final Wakeup wakeup = new Wakeup();
  // The job this node inserted into the queue while it looked empty here, to be claimed by id;
  // NONE when there is none, or when more than one came (they are searched for as usual).
  private static final long NONE = 0;
  private final AtomicLong inserted = new AtomicLong(NONE);
  private final OutageLog outage;
  private volatile boolean stopping;
  private volatile boolean queueLooksEmpty;
  private volatile int prefetch;
  // Rate estimate, touched by the producer thread only.
  private double rate;
  private long rateNanos = System.nanoTime();
  private long rateCompleted;
  private double claimMillis;
  private long claimedAtNanos = System.nanoTime();
  private volatile dev.offload.QueueOptions flow = dev.offload.QueueOptions.none();

  Producer(Engine engine, Store store, String queue, List<String> kinds, int concurrency) {
    this.engine = engine;
    this.store = store;
    this.queue = queue;
    this.kinds = List.copyOf(kinds);
    this.concurrency = concurrency;
    this.slotLease = new SlotLease(store, queue, engine.config().node());
    this.outage = new OutageLog(log, "claiming jobs of queue '" + queue + "'");
  }

  String queue() {
    return queue;
  }

  void wake() {
    queueLooksEmpty = false;
    wakeup.signal();
  }

  /**
   * Wakes the claimer for the one job this node has just inserted (committed) into the queue.
   * Inserted while the queue looked empty here (its last claim came back short, nothing buffered),
   * it is claimed by its id ({@link Store#jobClaimInserted}); otherwise as on any wake.
   */
  void wakeInserted(long id) {
    if (!queueLooksEmpty || buffered.get() > 0 || !inserted.compareAndSet(NONE, id)) {
      wake();
      return;
    }
    wakeup.signal();
  }

  void stop() {
    stopping = true;
    wakeup.signal();
  }

  /**
   * Inserts {@code job} and claims it in one store call ({@link Store#jobInsertThenClaim}) when
   * this node would claim it next and nothing else: the queue looks empty here (its last claim came
   * back short, nothing buffered or waiting to be claimed by id), a slot is free, the job's kind is
   * run here, and the queue is neither claimed under its lock nor pushed. On an idle queue that
   * saves the claim's round trip and commit, most of an enqueue-to-start.
   *
   * @return the job's id, or null when it was not inserted here (the caller inserts it as usual)
   */
  @Nullable Long insertThenClaim(Store.JobInsert job) {
    dev.offload.QueueOptions flow = this.flow;
    if (stopping
        || !queueLooksEmpty
        || buffered.get() > 0
        || inserted.get() != NONE
        || !kinds.contains(job.kind())
        || flow.claimedUnderLock()
        || flow.push() != null
        || running.get() >= cap()
        || engine.unwrittenCompletions() > MAX_UNWRITTEN
        // The producer is claiming: its claim may find the job as well as this one would.
        || !claiming.tryLock()) {
      return null;
    }
    try {
      if (stopping) {
        return null; // shutdown empties the buffer after this lock: nothing may land in it now
      }
      Claim claim = claim(1);
      Store.InsertedThenClaimed done = store.jobInsertThenClaim(job, claim.params());
      accept(claim, done.claimed());
      if (done.claimed().isEmpty()) {
        // Its queue's settings in the store say this node's claim may not take it (paused, or flow
        // control this node's copy has yet to see): look again here with the settings as they are,
        // as the other nodes do on the insert's notification.
        wake();
      }
      return done.id();
    } finally {
      claiming.unlock();
    }
  }

  /** Frees the slot of an attempt that ended, and gives it to a buffered job if there is one. */
  void slotFreed() {
    completed.incrementAndGet();
    running.decrementAndGet();
    drain();
    if (!queueLooksEmpty && buffered.get() <= prefetch / 2) {
      wakeup.signal();
    }
  }

  /** How many jobs of this queue may run here now. */
  private int cap() {
    return flow.maxRunning() == null ? concurrency : Math.min(concurrency, slotLease.allowed());
  }

  /** Takes a slot if one is free under {@link #cap}. */
  private boolean tryStart() {
    int cap = cap();
    while (true) {
      int r = running.get();
      if (r >= cap) {
        return false;
      }
      if (running.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /**
   * A claimed job waiting for a slot, with the local time its claim was sent (its lease's start).
   */
  private record Claimed(
      ClaimedJob job, long claimedNanos, dev.offload.QueueOptions.@Nullable Push push) {}

  /** Starts buffered jobs while slots are free. */
  private void drain() {
    while (!stopping && !buffer.isEmpty() && tryStart()) {
      Claimed next = buffer.poll();
      if (next == null) {
        running.decrementAndGet();
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
        flow = engine.limits().of(queue);
        Duration poll = config.pollInterval();
        if (flow.maxRunning() == null) {
          releaseSlots(); // the queue lost its limit: nothing to give back unless a lease is held
        } else {
          try {
            poll = leaseSlots(config.leaseDuration(), poll);
            outage.succeeded();
          } catch (RuntimeException e) {
            outage.failed(e);
            backoff.pause();
            continue;
          }
        }
        updatePrefetch(config.maxClaimBatch());
        int cap = cap();
        int waiting = buffered.get();
        // Nothing is claimed without a slot to run it: another node may hold them all.
        int room = cap == 0 ? 0 : cap + prefetch - running.get() - waiting;
        if (engine.unwrittenCompletions() > MAX_UNWRITTEN) {
          wakeup.await(BACKLOG_RECHECK);
          continue;
        }
        // Claim when there is room and the buffer is at most half full; otherwise wait for slots.
        if (room <= 0 || waiting > prefetch / 2) {
          wakeup.await(poll);
          continue;
        }
        int want = Math.min(room, config.maxClaimBatch());
        // A job inserted here while the queue looked empty: committed before this claim, so any
        // claim finds it; by its id, it is found without a search. Its own NOTIFY may have come
        // back already (and other wakes with it): they are claimed for right after.
        long insertedHere = inserted.getAndSet(NONE);
        boolean byId = insertedHere != NONE && !flow.claimedUnderLock();
        List<ClaimedJob> claimed;
        try {
          long started = System.nanoTime();
          claimedAtNanos = started;
          claimed = byId ? runOnce(want, insertedHere) : runOnce(want);
          double took = (System.nanoTime() - started) / 1e6;
          claimMillis = claimMillis == 0 ? took : claimMillis + 0.2 * (took - claimMillis);
          outage.succeeded();
          backoff.reset();
        } catch (RuntimeException e) {
          outage.failed(e);
          backoff.pause();
          continue;
        }
        if (byId) {
          // Nothing else was known to be runnable: wait as after a short claim, unless a wake came
          // since the queue looked empty (it cleared queueLooksEmpty) or the claim came back full
          // (a store may claim as jobClaim does): the next claim searches.
          if (queueLooksEmpty && claimed.size() < want) {
            wakeup.await(shortClaimWait(poll));
          }
          continue;
        }
        queueLooksEmpty = claimed.size() < want;
        if (queueLooksEmpty) {
          wakeup.await(shortClaimWait(poll));
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
    if (flow.rate() != null) {
      // A claimed job holds a start of its rate from the moment it is claimed: buffered here, it
      // would start later than its start was counted, bunched with others. A queue limit buffers
      // like any queue (a buffered job holds no slot: the lease does), and so does a per-key limit
      // (a buffered job holds only its own key's slot, for the buffer's short horizon).
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
    return runOnce(limit, NONE);
  }

  /** As {@link #runOnce(int)}, of job {@code id} only unless it is {@link #NONE}. */
  private List<ClaimedJob> runOnce(int limit, long id) {
    claiming.lock();
    try {
      Claim claim = claim(limit);
      List<ClaimedJob> claimed =
          id == NONE ? store.jobClaim(claim.params()) : store.jobClaimInserted(claim.params(), id);
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
   * Asks for this node's slots of the queue limit when due ({@link SlotLease}): what the node could
   * run while it has work, what it runs when the queue looked empty (and one more each poll
   * interval, to look). Starts buffered jobs the grant lets run.
   *
   * @return how long to wait at most before looking again
   */
  private Duration leaseSlots(Duration lease, Duration poll) {
    Integer maxRunning = flow.maxRunning();
    int now = running.get();
    int wanted = Math.min(concurrency, maxRunning == null ? concurrency : maxRunning);
    if (queueLooksEmpty && buffered.get() == 0 && inserted.get() == NONE) {
      // Nothing to do here: keep what runs, and one slot to look again once a poll interval
      // passed (jobs that came due by the clock wake no one).
      boolean look = System.nanoTime() - claimedAtNanos >= poll.toNanos();
      wanted = Math.min(wanted, now + (look ? 1 : 0));
    }
    if (slotLease.due(wanted)) {
      if (slotLease.renew(wanted, now, lease) == null) {
        // The store has no limit for the queue any more: claim as any queue once the copy of the
        // settings says so too (until then the lock-free claim takes nothing from it).
        return poll;
      }
      drain();
    }
    Duration untilDue = slotLease.untilDue();
    if (slotLease.allowed() < wanted) {
      untilDue = Duration.ofMillis(SlotLease.WANTING_MILLIS);
    }
    return untilDue.compareTo(poll) < 0 ? untilDue : poll;
  }

  /** Gives back this node's slots of the queue limit (at shutdown, once nothing runs here). */
  void releaseSlots() {
    try {
      slotLease.release();
    } catch (RuntimeException e) {
      log.debug("giving back the slots of queue '{}' failed; they lapse with the lease", queue, e);
    }
  }
}
