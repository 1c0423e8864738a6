package dev.offload.engine;

import dev.offload.Job.JobError;
import dev.offload.Job.JobState;
import dev.offload.JobContext.Snooze;
import dev.offload.JobOptions;
import dev.offload.Offload.JobListener;
import dev.offload.PermanentFailure;
import dev.offload.engine.Node.EngineConfig;
import dev.offload.engine.Node.Registration;
import dev.offload.internal.Json;
import dev.offload.internal.OffloadInternals.JobInterceptor;
import dev.offload.store.Store;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.Completion;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.LeasedJob;
import dev.offload.store.Store.Notifier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker side of a node: a {@link Producer} per queue, handlers on virtual threads, a {@link
 * Completer} that acknowledges in batches, a heartbeat that renews the leases of running jobs, and,
 * on the elected leader, the {@link Rescuer} and the {@link Pruner}.
 *
 * <p>Each periodic duty has a thread of its own, so none can delay another: the heartbeat ({@code
 * offload-heartbeat}) renews leases, the leader thread ({@code offload-leader}) elects, rescues and
 * prunes (a prune of many rows takes seconds), and the timer thread ({@code offload-timers}) ends
 * attempts that time out and stops the attempts whose leases lapsed.
 *
 * <p>A lease lapses when the heartbeat could not renew it for a whole lease duration (the store was
 * unreachable, or this node was cut off from it): the rescuer of another node may already have
 * handed the job to someone else. The node then marks those attempts cancelled, interrupts their
 * handlers and frees their slots without writing anything for them; a late completion would be
 * refused anyway, since the claim token no longer holds the job once it was rescued.
 *
 * <p>{@link #stop} is graceful: stop claiming, let running attempts finish within the grace period,
 * then interrupt and release what is left so another node can take it at once.
 */
final class Engine {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);

  private final Store store;
  private final Map<String, Registration<?>> registry;
  private final EngineConfig config;
  private final Enqueuer enqueuer;
  private final Map<String, Producer> producers = new LinkedHashMap<>();
  private final Map<Long, Execution> running = new ConcurrentHashMap<>();
  // The producers of runOneNow: never started, they only count slots for Execution.
  private final Map<String, Producer> steppers = new ConcurrentHashMap<>();
  private final Completer completer;
  private final Rescuer rescuer;
  private final Pruner pruner;
  private final LeaseRenewer renewer;
  private final Scheduler schedules;
  private final Object listenerPoolLock = new Object();
  private ExecutorService listenerPool;
  private AutoCloseable cancelSubscription;
  private long lastPruneNanos;
  private final ProgressReporter reporter;
  private final StageHistory history;
  private final QueueLimits limits;
  private final Object pushLock = new Object();
  private PushDispatcher push;
  // Finished jobs of queues with a per-key limit whose completion is not written yet, by id: their
  // keys' slots are free once it is.
  private final Map<Long, String> slotHolders = new ConcurrentHashMap<>();
  private final Set<String> freedToAnnounce = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean announcing = new AtomicBoolean();
  private final OutageLog heartbeatOutage = new OutageLog(log, "renewing leases");
  private final OutageLog leaderOutage = new OutageLog(log, "leader election and rescue");
  private final long leaseNanos;
  // When the last heartbeat that renewed every lease of this node was sent (System.nanoTime()).
  private volatile long leasesRenewedNanos;
  private final List<Thread> threads = new ArrayList<>();
  private final List<Thread> producerThreads = new ArrayList<>();
  private ScheduledExecutorService scheduler;
  private ScheduledExecutorService heartbeats;
  private ScheduledExecutorService leaderDuties;
  private ScheduledExecutorService scheduleTicks;
  private AutoCloseable insertSubscription;
  private volatile boolean leader;
  private volatile boolean started;

  Engine(
      Store store, Map<String, Registration<?>> registry, EngineConfig config, Enqueuer enqueuer) {
    this.store = store;
    this.enqueuer = enqueuer;
    this.registry = Map.copyOf(registry);
    this.config = config;
    this.completer = new Completer(store, this::written);
    this.rescuer = new Rescuer(store, this.registry, config.node(), config.clock());
    this.pruner = new Pruner(store, config.retention(), config.deadRetention(), config.clock());
    this.renewer = new LeaseRenewer(store, config.node(), config.leaseDuration(), this::heldLeases);
    this.schedules = new Scheduler(store, config.clock());
    this.reporter =
        new ProgressReporter(store, running.values(), config.progressInterval(), config.clock());
    this.history = new StageHistory(store);
    this.leaseNanos = config.leaseDuration().toNanos();
    this.limits = new QueueLimits(store);
  }

  QueueLimits limits() {
    return limits;
  }

  /** This node changed a queue's flow-control options: claim by them at once. */
  public void queueOptionsChanged(String queue, dev.offload.QueueOptions options) {
    limits.changed(queue, options);
    Producer p = producers.get(queue);
    if (p != null) {
      p.wake();
    }
  }

  EngineConfig config() {
    return config;
  }

  /**
   * Starts claiming and running jobs. An engine that was stopped starts again afresh; one that
   * fails to start (the store is unreachable) is left stopped, with nothing running.
   *
   * @throws IllegalStateException if it runs already
   */
  public synchronized void start() {
    if (started) {
      throw new IllegalStateException("node " + config.node() + " is started already");
    }
    // The first store call: when it fails (say, a read-only store refusing the announcement),
    // nothing has been started and the caller sees that cause.
    store.kindAnnounce(registry.keySet(), config.clock().instant());
    started = true;
    try {
      startServices();
    } catch (RuntimeException | Error e) {
      stop(Duration.ZERO);
      throw e;
    }
    log.info("node {} started: queues {} on {}", config.node(), config.queues(), store.describe());
  }

  private void startServices() {
    // A restart after stop() begins from scratch: the services of the last run have ended.
    producers.clear();
    threads.clear();
    producerThreads.clear();
    completer.reset();
    reporter.reset();
    // Every queue claims every kind this node can run: an enqueue may route a kind to any queue.
    List<String> kinds = List.copyOf(registry.keySet());
    config
        .queues()
        .forEach((queue, concurrency) ->
            producers.put(queue, new Producer(this, store, queue, kinds, concurrency)));
    insertSubscription = store.notifier().subscribe(Notifier.INSERT, this::onInsert);
    cancelSubscription = store.notifier().subscribe(Notifier.CANCEL, this::onCancel);
    threads.add(Thread.ofPlatform().daemon().name("offload-completer").start(completer));
    threads.add(Thread.ofPlatform().daemon().name("offload-progress").start(reporter));
    for (Producer p : producers.values()) {
      Thread t = Thread.ofPlatform().daemon().name("offload-producer-" + p.queue()).start(p);
      threads.add(t);
      producerThreads.add(t);
    }
    leasesRenewedNanos = System.nanoTime();
    scheduler =
        Executors.newScheduledThreadPool(
            1, Thread.ofPlatform().daemon().name("offload-timers").factory());
    long check = Math.max(10, Math.min(1_000, config.leaseDuration().toMillis() / 10));
    scheduler.scheduleWithFixedDelay(this::stopLapsedAttempts, check, check, TimeUnit.MILLISECONDS);
    heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("offload-heartbeat").factory());
    long beat = config.heartbeatInterval().toMillis();
    heartbeats.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
    leaderDuties =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("offload-leader").factory());
    long rescue = config.rescueInterval().toMillis();
    leaderDuties.scheduleWithFixedDelay(this::leadership, 0, rescue, TimeUnit.MILLISECONDS);
    // Every node fires schedules (the store keeps it to one job per tick), often enough for a
    // 1-second schedule, on a thread of their own so a slow store does not delay the others.
    scheduleTicks =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("offload-schedules").factory());
    long ticks = SCHEDULE_CHECK_MILLIS;
    scheduleTicks.scheduleWithFixedDelay(schedules::runOnce, 0, ticks, TimeUnit.MILLISECONDS);
  }

  /**
   * Wakes this node's claimers of the queues {@code inserts} made runnable now, right after their
   * insert committed, with the jobs' ids: the enqueuing node is often a worker too, and its own
   * claim need neither wait for the NOTIFY to come back from the database (the other nodes still
   * get it) nor search the queue for jobs it knows.
   *
   * @param ids the id of each insert, in order (an idempotency key's may be an earlier job's)
   */
  void wakeFor(List<JobInsert> inserts, List<Long> ids) {
    if (producers.isEmpty()) {
      return;
    }
    // Per queue, the id of its one runnable job, or SEVERAL: only a lone job is claimed by id.
    Map<String, Long> runnable = new LinkedHashMap<>();
    for (int i = 0; i < inserts.size(); i++) {
      JobInsert insert = inserts.get(i);
      if (insert.state() == JobState.AVAILABLE) {
        runnable.merge(insert.queue(), ids.get(i), (a, b) -> SEVERAL);
      }
    }
    runnable.forEach((queue, id) -> {
      Producer p = producers.get(queue);
      if (p == null) {
        return;
      }
      if (id == SEVERAL) {
        p.wake();
      } else {
        p.wakeInserted(id);
      }
    });
  }

  private static final long SEVERAL = -1;

  /**
   * Inserts {@code insert} (one job, in a transaction of its own) and claims it for this node in
   * the same store call when its queue is idle here ({@link Producer#insertThenClaim}).
   *
   * @return the job's id, or null when it was not inserted (the caller inserts it as usual)
   */
  @Nullable Long insertThenClaim(JobInsert insert) {
    if (insert.state() != JobState.AVAILABLE
        || insert.idempotencyKey() != null
        || insert.uniqueKey() != null) {
      return null;
    }
    Producer p = producers.get(insert.queue());
    return p == null ? null : p.insertThenClaim(insert);
  }

  private void onInsert(String queue) {
    Producer p = producers.get(queue);
    if (p != null) {
      p.wake();
    }
  }

  private void onCancel(String payload) {
    try {
      cancelLocal(Long.parseLong(payload.trim()));
    } catch (NumberFormatException e) {
      log.debug("ignoring malformed cancel notification {}", payload);
    }
  }

  /** Stops the attempt of job {@code id} if it runs here: interrupts it and ends it cancelled. */
  void cancelLocal(long id) {
    for (Producer p : producers.values()) {
      ClaimedJob waiting = p.removeBuffered(id);
      if (waiting != null) {
        Instant now = config.clock().instant();
        completer.add(plainEnd(waiting, JobState.CANCELLED, now, null, null, null, false));
        return;
      }
    }
    Execution ex = running.get(id);
    if (ex != null && ex.settle()) {
      ex.interrupt();
      ClaimedJob job = ex.job;
      Instant now = config.clock().instant();
      finish(ex, endWithProgress(ex, JobState.CANCELLED, now, null, null, false));
      log.info("cancelled job {} ({}) at the request of a user", job.id(), job.kind());
    }
  }

  /**
   * After completions are stored: wake the claimers of queues whose per-key limits the finished
   * jobs held slots of (here and, through the store's notifier, on every node: a key's slot is free
   * only once the completion is written), and tell the listeners about jobs that died. A queue
   * limit's slots are leases, handed from job to job on the node that holds them.
   */
  private void written(List<Completion> batch) {
    Set<String> freed = new HashSet<>();
    for (Completion c : batch) {
      String queue = slotHolders.remove(c.id());
      if (queue != null) {
        freed.add(queue);
      }
    }
    for (String queue : freed) {
      // This node's claimer at once, the others through the notifier (which would wake this one
      // too, a round trip later), sent from
      // another thread: the next batch of completions (and with it the next freed slots) need not
      // wait for the notification's round trip.
      Producer p = producers.get(queue);
      if (p != null) {
        p.wake();
      }
      announceFreed(queue);
    }
    if (config.listeners().isEmpty()) {
      return;
    }
    for (Completion c : batch) {
      if (c.state() == JobState.DEAD || c.state() == JobState.RETRYING) {
        notifyFailed(c.id(), c.state());
      }
    }
  }

  /** Tells every node that slots of {@code queue} were freed, coalescing while one is sent. */
  private void announceFreed(String queue) {
    freedToAnnounce.add(queue);
    if (!announcing.compareAndSet(false, true)) {
      return;
    }
    ScheduledExecutorService timers = scheduler;
    try {
      if (timers == null) {
        throw new RejectedExecutionException("not started");
      }
      timers.execute(this::publishFreed);
    } catch (RejectedExecutionException stopping) {
      publishFreed();
    }
  }

  private void publishFreed() {
    // Cleared first: a queue added while this runs is sent by this loop or by the next task.
    announcing.set(false);
    for (Iterator<String> it = freedToAnnounce.iterator(); it.hasNext(); ) {
      String queue = it.next();
      it.remove();
      store.notifier().publish(Notifier.INSERT, queue);
    }
  }

  /** Reads the job as stored and calls onDead or onRetrying, unless it moved on meanwhile. */
  private void notifyFailed(long id, JobState state) {
    listenerPool()
        .execute(() -> {
          try {
            store
                .jobGet(id)
                .filter(j -> j.state() == state)
                .ifPresent(job -> {
                  for (JobListener l : config.listeners()) {
                    try {
                      if (state == JobState.DEAD) {
                        l.onDead(job);
                      } else {
                        l.onRetrying(job);
                      }
                    } catch (RuntimeException e) {
                      log.warn("job listener failed on {} job {}", state.wireName(), id, e);
                    }
                  }
                });
          } catch (RuntimeException e) {
            log.warn(
                "could not read {} job {} for its listeners: {}",
                state.wireName(),
                id,
                OutageLog.rootMessage(e));
          }
        });
  }

  /**
   * Starts one attempt of a claimed job on a virtual thread, or delivers it to {@code endpoint}
   * when it was claimed from a push queue; the producer holds its slot. {@code claimedNanos} is
   * when its claim was sent, the start of its lease.
   */
  void execute(
      ClaimedJob job,
      Producer producer,
      long claimedNanos,
      dev.offload.QueueOptions.@org.jspecify.annotations.Nullable Push endpoint) {
    Registration<?> reg = registry.get(job.kind());
    Execution ex = new Execution(this, job, reg, producer, claimedNanos);
    running.put(job.id(), ex);
    if (endpoint != null) {
      tellStarted(job);
      pushDispatcher().deliver(ex, endpoint);
      return;
    }
    Thread thread =
        Thread.ofVirtual().name("offload-job-" + job.id()).unstarted(() -> runAttempt(ex));
    ex.thread = thread;
    tellStarted(job);
    Duration timeout = reg == null ? null : reg.options().timeout();
    if (timeout != null) {
      ex.timeout =
          scheduler.schedule(
              () -> timedOut(ex, timeout), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    thread.start();
  }

  private void tellStarted(ClaimedJob job) {
    if (!config.listeners().isEmpty()) {
      long waited = Math.max(0, Duration.between(job.runAt(), config.clock().instant()).toMillis());
      for (JobListener l : config.listeners()) {
        safely(() -> l.onStarted(job.kind(), job.queue(), waited));
      }
    }
  }

  /** The dispatcher of push queues, started with the first push. */
  private PushDispatcher pushDispatcher() {
    synchronized (pushLock) {
      if (push == null) {
        push = new PushDispatcher(this);
      }
      return push;
    }
  }

  // ---------------------------------------------------------------- push outcomes

  /** A push answered 2xx: the attempt succeeded with {@code resultJson}. */
  void pushSucceeded(Execution ex, String resultJson) {
    if (!ex.settle()) {
      return;
    }
    Instant now = config.clock().instant();
    if (endedTooLarge(ex, now, resultJson, "the push endpoint answered")) {
      return;
    }
    finish(ex, plainEnd(ex.job, JobState.SUCCEEDED, now, null, resultJson, null, false));
  }

  /** A push failed: retried with the kind's backoff, or dead when permanent or out of attempts. */
  void pushFailed(Execution ex, Throwable error) {
    fail(ex, error);
  }

  /** A push answered 429 or 503 with Retry-After: run again then, the attempt given back. */
  void pushSnoozed(Execution ex, Duration wait) {
    if (ex.settle()) {
      finish(ex, PushDispatcher.snooze(ex, config.clock().instant(), wait));
    }
  }

  /** A continuation found its claim token gone (rescued, cancelled): stop here, write nothing. */
  void pushLostLease(Execution ex) {
    if (ex.settle()) {
      abandon(ex);
    }
  }

  void pushProgressWrite(Execution ex, String progressJson) {
    store.jobProgressMany(
        List.of(
            new dev.offload.store.Store.ProgressUpdate(ex.job.id(), ex.job.token(), progressJson)));
  }

  /** The job's stored checkpoint as JSON, or {@code otherwise} when it cannot be read. */
  String storedCheckpoint(long id, String otherwise) {
    try {
      return store
          .jobGet(id)
          .map(j -> j.checkpoint() == null ? otherwise : j.checkpoint().toString())
          .orElse(otherwise);
    } catch (RuntimeException e) {
      return otherwise;
    }
  }

  /**
   * Claims one due job of {@code queue} and runs one attempt of it on the calling thread, without
   * workers (the test kit's {@link Stepper}); its outcome is written before this returns. No
   * timeout applies, and nothing interrupts the caller's thread. Null when no job is due.
   */
  ClaimedJob runOneNow(String queue) {
    Producer producer =
        steppers.computeIfAbsent(
            queue, q -> new Producer(this, store, q, List.copyOf(registry.keySet()), 1));
    long token = java.util.concurrent.ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    List<ClaimedJob> claimed =
        store.jobClaim(
            new dev.offload.store.Store.ClaimParams(
                queue,
                List.copyOf(registry.keySet()),
                1,
                config.node(),
                token,
                config.clock().instant(),
                config.leaseDuration(),
                limits.of(queue)));
    if (claimed.isEmpty()) {
      return null;
    }
    ClaimedJob job = claimed.get(0);
    Execution ex = new Execution(this, job, registry.get(job.kind()), producer, System.nanoTime());
    running.put(job.id(), ex);
    tellStarted(job);
    try {
      runAttempt(ex);
    } finally {
      completer.writeNow();
    }
    return job;
  }

  private void runAttempt(Execution ex) {
    ClaimedJob job = ex.job;
    if (ex.registration == null) {
      // The claim filters by the kinds registered here, so this means the registry changed under
      // us.
      fail(
          ex,
          new PermanentFailure(
              "no handler for kind '" + job.kind() + "' on node " + config.node()));
      return;
    }
    Object args;
    try {
      args = Json.read(job.argsJson(), ex.registration.argsType());
    } catch (Exception e) {
      fail(
          ex,
          new PermanentFailure(
              "args do not match "
                  + ex.registration.argsType().getSimpleName()
                  + ": "
                  + e.getMessage(),
              e));
      return;
    }
    try {
      Object result = invoke(ex.registration, args, ex);
      if (ex.continues()) {
        // Checkpointed because shouldYield() said so: run again at once from the checkpoint,
        // without using an attempt, as a push endpoint's continuation does.
        throw new Snooze(Duration.ZERO);
      }
      String resultJson = result == null ? null : Json.write(result);
      if (ex.settle()) {
        Instant now = config.clock().instant();
        if (endedTooLarge(ex, now, resultJson, "the result is")) {
          return;
        }
        finish(ex, endWithProgress(ex, JobState.SUCCEEDED, now, null, resultJson, false));
      }
    } catch (Snooze s) {
      if (ex.settle()) {
        Instant now = config.clock().instant();
        // A snooze gives its attempt back: the next claim reuses its number.
        finish(ex, endWithProgress(ex, JobState.RETRYING, now, now.plus(s.delay()), null, true));
      }
    } catch (Throwable t) {
      fail(ex, t);
    }
  }

  @SuppressWarnings("unchecked")
  private <A> Object invoke(Registration<A> reg, Object args, Execution ctx) throws Exception {
    if (config.interceptors().isEmpty()) {
      return reg.handler().run((A) args, ctx);
    }
    ClaimedJob job = ctx.job;
    JobInterceptor.Attempt attempt =
        new JobInterceptor.Attempt(
            job.id(), job.kind(), job.queue(), job.attempt(), headers(job.headersJson()));
    // The first interceptor is outermost.
    java.util.concurrent.Callable<Object> call = () -> reg.handler().run((A) args, ctx);
    List<JobInterceptor> interceptors = config.interceptors();
    for (int i = interceptors.size() - 1; i >= 0; i--) {
      JobInterceptor interceptor = interceptors.get(i);
      java.util.concurrent.Callable<Object> inner = call;
      call = () -> interceptor.aroundAttempt(attempt, inner);
    }
    return call.call();
  }

  private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, String>> HEADERS =
      new com.fasterxml.jackson.core.type.TypeReference<>() {};

  private static Map<String, String> headers(String json) {
    if (json == null) {
      return Map.of();
    }
    try {
      return Json.read(json, HEADERS);
    } catch (Exception e) {
      log.debug("ignoring unreadable job headers {}", json);
      return Map.of();
    }
  }

  private void timedOut(Execution ex, Duration timeout) {
    if (ex.settle()) {
      ex.interrupt();
      failSettled(
          ex,
          new JobTimeoutException("attempt timed out after " + timeout + " and was interrupted"));
    }
  }

  private void fail(Execution ex, Throwable error) {
    if (ex.settle()) {
      failSettled(ex, error);
    }
  }

  private void failSettled(Execution ex, Throwable error) {
    ClaimedJob job = ex.job;
    Instant now = config.clock().instant();
    String errorJson =
        Json.write(
            new JobError(
                job.attempt(),
                now,
                config.node(),
                HumanText.storable(error.getClass().getName()),
                HumanText.storable(error.getMessage()),
                HumanText.storable(stackTrace(error))));
    JobOptions options = RetryOrDead.options(ex.registration);
    finish(
        ex, RetryOrDead.failed(job, options, error, now, errorJson, finalProgress(ex, now, false)));
  }

  /** The error class of an attempt whose result cannot be stored. */
  static final String RESULT_NOT_STORABLE = "dev.offload.ResultNotStorable";

  /** The error class of an attempt whose outcome (other than a result) the store refused. */
  static final String OUTCOME_NOT_STORABLE = "dev.offload.OutcomeNotStorable";

  /** Ends an attempt dead with {@code why} as its error and nothing else to store. */
  private Completion notStorable(Execution ex, Instant now, String errorClass, String why) {
    ClaimedJob job = ex.job;
    String errorJson =
        Json.write(
            new JobError(
                job.attempt(), now, config.node(), errorClass, HumanText.storable(why), null));
    return plainEnd(job, JobState.DEAD, now, null, null, errorJson, false);
  }

  /**
   * An end that writes no progress and no failed items (what is stored is kept); {@code
   * refundAttempt} gives the attempt back (a snooze).
   */
  static Completion plainEnd(
      ClaimedJob job,
      JobState state,
      Instant at,
      @Nullable Instant runAt,
      @Nullable String resultJson,
      @Nullable String errorJson,
      boolean refundAttempt) {
    return new Completion(
        job.id(),
        job.token(),
        state,
        at,
        runAt,
        resultJson,
        errorJson,
        /* leaseExpiredBefore= */ null,
        /* progressJson= */ null,
        /* failedItemsJson= */ null,
        refundAttempt,
        /* startedAt= */ null);
  }

  /**
   * An end that also writes the attempt's last progress and, when it succeeded, the items that
   * failed without failing it.
   */
  private Completion endWithProgress(
      Execution ex,
      JobState state,
      Instant at,
      @Nullable Instant runAt,
      @Nullable String resultJson,
      boolean refundAttempt) {
    boolean succeeded = state == JobState.SUCCEEDED;
    return new Completion(
        ex.job.id(),
        ex.job.token(),
        state,
        at,
        runAt,
        resultJson,
        /* errorJson= */ null,
        /* leaseExpiredBefore= */ null,
        finalProgress(ex, at, succeeded),
        succeeded ? failedItems(ex) : null,
        refundAttempt,
        /* startedAt= */ null);
  }

  /**
   * Ends the attempt dead when its result is over {@code maxResultBytes}: stored, it would only
   * fail again on every try, and the result is not cut short either. {@code said} starts the
   * error's message ("the result is").
   */
  private boolean endedTooLarge(
      Execution ex, Instant now, @Nullable String resultJson, String said) {
    long bytes = resultJson == null ? 0 : utf8Length(resultJson);
    if (bytes <= config.maxResultBytes()) {
      return false;
    }
    String why =
        said
            + " "
            + bytes
            + " bytes of JSON, over the limit of "
            + config.maxResultBytes()
            + " bytes (maxResultBytes)";
    finish(ex, notStorable(ex, now, RESULT_NOT_STORABLE, why));
    return true;
  }

  /** What the completer writes instead when the store refuses {@code refused}. */
  private Completion insteadOfRefused(Execution ex, Completion refused, String reason) {
    String errorClass = refused.resultJson() != null ? RESULT_NOT_STORABLE : OUTCOME_NOT_STORABLE;
    return notStorable(ex, config.clock().instant(), errorClass, reason);
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static String finalProgress(Execution ex, Instant now, boolean succeeded) {
    return ex.progress.reported()
        ? Json.write(ex.progress.finalSnapshot(System.nanoTime(), now, succeeded))
        : null;
  }

  private static String failedItems(Execution ex) {
    return ex.progress.hasFailedItems() ? Json.write(ex.progress.failedItems()) : null;
  }

  boolean writeCheckpoint(Execution ex, String checkpointJson, String failedItemsJson) {
    return store.jobCheckpoint(ex.job.id(), ex.job.token(), checkpointJson, failedItemsJson);
  }

  /** What {@code ctx.workflow()} of the running job {@code jobId} adds steps with. */
  StepAdder stepAdder(long jobId) {
    return new StepAdder(jobId, store, enqueuer, config.clock());
  }

  java.util.Optional<String> stepResult(long jobId, String step) {
    return store.workflowStepResult(jobId, step);
  }

  void progressChanged() {
    reporter.wake();
  }

  java.util.Map<String, Long> stageHistory(String kind) {
    return history.medianDurationsMs(kind);
  }

  private static void safely(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("job listener failed", e);
    }
  }

  /**
   * The ETA an attempt that will run again (snoozed, retrying) left, by job id; see {@link
   * EtaEstimator}.
   */
  private final Map<Long, ProgressTracker.Carry> etaCarries = new ConcurrentHashMap<>();

  private static final int MAX_ETA_CARRIES = 10_000;

  ProgressTracker.Carry takeEtaCarry(long jobId) {
    return etaCarries.remove(jobId);
  }

  private void finish(Execution ex, Completion completion) {
    if (completion.state() == JobState.RETRYING && ex.progress.reported()) {
      if (etaCarries.size() >= MAX_ETA_CARRIES) {
        etaCarries.clear(); // jobs retried elsewhere or deleted: their carries are stale
      }
      etaCarries.put(ex.job.id(), ex.progress.carry());
    }
    if (!config.listeners().isEmpty()) {
      long ranMillis = System.currentTimeMillis() - ex.startedMillis;
      for (JobListener l : config.listeners()) {
        safely(() -> l.onFinished(ex.job.kind(), ex.job.queue(), completion.state(), ranMillis));
      }
    }
    // The completion is handed over before the job leaves 'running': stop() waits for running
    // jobs and then for the completer, so it never sees neither.
    if (limits.of(ex.job.queue()).perKey() != null) {
      slotHolders.put(ex.job.id(), ex.job.queue());
    }
    completer.add(
        completion.startedAt(ex.startedAt), reason -> insteadOfRefused(ex, completion, reason));
    // Only this attempt's record: a newer attempt of the same job (this one lost its lease and the
    // job came back to this node) may be running under the same id.
    running.remove(ex.job.id(), ex);
    reporter.forget(ex.job.id());
    ex.producer.slotFreed();
  }

  private static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  /** The leases this node holds: its running attempts' and its claimed jobs' waiting for a slot. */
  private List<LeasedJob> heldLeases() {
    List<LeasedJob> leased = new ArrayList<>();
    running.values().forEach(ex -> leased.add(new LeasedJob(ex.job.id(), ex.job.token())));
    producers.values().forEach(p -> leased.addAll(p.bufferedLeases()));
    return leased;
  }

  void heartbeat() {
    // Taken before the leases are read: a job claimed from here on has a lease that started later.
    long sent = System.nanoTime();
    LeaseRenewer.Beat beat;
    try {
      beat = renewer.runOnce();
      leasesRenewedNanos = sent;
      heartbeatOutage.succeeded();
    } catch (RuntimeException e) {
      heartbeatOutage.failed(e);
      return;
    }
    if (!beat.lost().isEmpty()) {
      stopLostAttempts(beat.lost());
    }
    beat.cancelRequested().forEach(this::cancelLocal);
  }

  /**
   * Stops the attempts whose leases a heartbeat could not renew although the store answered: this
   * node stalled past its lease (a long GC pause, a suspended VM) and the job was rescued, maybe
   * already claimed elsewhere. An attempt that ended in the meantime is left alone.
   */
  private void stopLostAttempts(List<LeasedJob> lost) {
    List<Long> stopped = new ArrayList<>();
    for (LeasedJob lease : lost) {
      boolean wasBuffered = producers.values().stream().anyMatch(p -> p.removeBuffered(lease));
      Execution ex = running.get(lease.id());
      if (wasBuffered) {
        stopped.add(lease.id());
      } else if (ex != null && ex.job.token() == lease.token() && ex.settle()) {
        abandon(ex);
        stopped.add(lease.id());
      }
    }
    if (!stopped.isEmpty()) {
      log.warn(
          "node {} lost the leases of {} jobs {}: its heartbeat found them no longer held by this node (they were "
              + "rescued after it stalled past their lease), so another node may run them again. Cancelled them here and "
              + "interrupted their handlers; a late completion from this node would be refused anyway, since their claim "
              + "tokens no longer hold them",
          config.node(),
          stopped.size(),
          abbreviated(stopped));
    }
  }

  /**
   * Stops a settled attempt that no longer holds its job: cancelled, interrupted, its slot freed.
   */
  private void abandon(Execution ex) {
    ex.interrupt();
    running.remove(ex.job.id(), ex);
    reporter.forget(ex.job.id());
    ex.producer.slotFreed();
  }

  /**
   * Stops the attempts whose leases lapsed: no heartbeat renewed them within a lease duration, so
   * another node may be running them already. Counted on this node's monotonic clock from when the
   * claim or the last renewal was sent, so it errs towards stopping early, never late.
   */
  void stopLapsedAttempts() {
    long cutoff = System.nanoTime() - leaseNanos;
    if (leasesRenewedNanos - cutoff >= 0) {
      return;
    }
    List<Long> lapsed = new ArrayList<>();
    for (Producer p : producers.values()) {
      p.removeClaimedBefore(cutoff).forEach(job -> lapsed.add(job.id()));
    }
    for (Execution ex : running.values()) {
      if (ex.claimedNanos - cutoff < 0 && ex.settle()) {
        abandon(ex);
        lapsed.add(ex.job.id());
      }
    }
    if (!lapsed.isEmpty()) {
      log.warn(
          "node {} lost the leases of {} jobs {}: they could not be renewed for {} (the lease duration), so another "
              + "node may run them again. Cancelled them here and interrupted their handlers; a late completion from this "
              + "node would be refused anyway, since their claim tokens no longer hold them once they are rescued",
          config.node(),
          lapsed.size(),
          abbreviated(lapsed),
          config.leaseDuration());
    }
  }

  private static String abbreviated(List<Long> ids) {
    return ids.size() <= 20
        ? ids.toString()
        : ids.subList(0, 20) + " and " + (ids.size() - 20) + " more";
  }

  void leadership() {
    try {
      Instant now = config.clock().instant();
      boolean elected =
          store.leaderAttemptElect(config.node(), config.rescueInterval().multipliedBy(3), now);
      if (elected != leader) {
        log.info(
            elected ? "node {} is now the leader" : "node {} is no longer the leader",
            config.node());
        leader = elected;
      }
      if (elected) {
        int rescued;
        do {
          rescued = rescueOnce();
          if (rescued > 0) {
            log.info("rescued {} jobs whose worker was lost", rescued);
          }
        } while (rescued == Rescuer.BATCH);
        long nowNanos = System.nanoTime();
        if (lastPruneNanos == 0 || nowNanos - lastPruneNanos > PRUNE_EVERY_NANOS) {
          lastPruneNanos = nowNanos;
          int pruned = pruner.runOnce();
          if (pruned > 0) {
            log.info("pruned {} finished jobs past their retention", pruned);
          }
        }
      }
      leaderOutage.succeeded();
    } catch (RuntimeException e) {
      leaderOutage.failed(e);
    }
  }

  /** Finished jobs whose outcome is not written yet. */
  int unwrittenCompletions() {
    return completer.pendingCount();
  }

  public boolean isLeader() {
    return leader;
  }

  /**
   * Whether this node's workers run: started, not stopped, and every thread the engine started
   * (producers, completer, progress reporter, maintenance) still alive. For {@code /health}.
   */
  public boolean workersAlive() {
    if (!started) {
      return false;
    }
    ScheduledExecutorService maintenance = scheduler;
    if (maintenance == null || maintenance.isShutdown()) {
      return false;
    }
    for (Thread t : List.copyOf(threads)) {
      if (!t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /** How many attempts are running on this node now. */
  public int runningCount() {
    return running.size();
  }

  /**
   * Stops claiming, waits up to {@code grace} for running attempts, then interrupts the rest and
   * returns them to {@code available} (their attempt not counted) so another node takes them.
   */
  public synchronized void stop(Duration grace) {
    if (!started) {
      return;
    }
    started = false;
    producers.values().forEach(Producer::stop);
    reporter.stop();
    closeQuietly(insertSubscription);
    closeQuietly(cancelSubscription);
    long deadline = System.nanoTime() + grace.toNanos();
    // A claim in flight must land before the buffer is emptied, or its jobs would stay leased to
    // this node until their leases expire.
    for (Thread t : producerThreads) {
      try {
        t.join(Math.max(1_000, grace.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // Claimed jobs still waiting for a slot never started: they go back first, without waiting.
    List<LeasedJob> waiting = new ArrayList<>();
    for (Producer p : producers.values()) {
      p.takeBuffered().forEach(j -> waiting.add(new LeasedJob(j.id(), j.token())));
    }
    if (!waiting.isEmpty()) {
      try {
        store.jobReleaseMany(waiting, config.clock().instant());
        waiting.clear();
      } catch (RuntimeException e) {
        log.debug("releasing buffered jobs failed; retried after the grace period", e);
      }
    }
    try {
      while (!running.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      List<LeasedJob> released = new ArrayList<>(waiting);
      for (Execution ex : running.values()) {
        if (ex.settle()) {
          ex.interrupt();
          running.remove(ex.job.id(), ex);
          released.add(new LeasedJob(ex.job.id(), ex.job.token()));
        }
      }
      completer.drain(Math.max(1_000, grace.toMillis()));
      if (!released.isEmpty()) {
        try {
          int n = store.jobReleaseMany(released, config.clock().instant());
          log.info("released {} unfinished jobs after a grace period of {}", n, grace);
        } catch (RuntimeException e) {
          log.warn(
              "could not release {} unfinished jobs; the rescuer will retry them when their leases expire: {}",
              released.size(),
              OutageLog.rootMessage(e));
        }
      }
      // Nothing of this node runs any more: its slots of queue limits go back at once.
      producers.values().forEach(Producer::releaseSlots);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Thread t : threads) {
      t.interrupt();
    }
    // Waited for, so no election runs after the resignation below and no thread outlives stop().
    // (Null when start() failed before creating them.)
    shutDown(scheduler);
    shutDown(heartbeats);
    shutDown(leaderDuties);
    shutDown(scheduleTicks);
    for (Thread t : threads) {
      join(t);
    }
    closeListenerPool();
    synchronized (pushLock) {
      if (push != null) {
        push.close();
        push = null;
      }
    }
    if (leader) {
      try {
        store.leaderResign(config.node());
      } catch (RuntimeException e) {
        log.debug("could not resign leadership", e);
      }
      leader = false;
    }
    log.info("node {} stopped", config.node());
  }

  private static void shutDown(ExecutorService executor) {
    if (executor == null) {
      return;
    }
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("a maintenance task did not stop within 5 s of the node stopping");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void join(Thread t) {
    try {
      if (!t.join(Duration.ofSeconds(5))) {
        log.warn("thread {} did not stop within 5 s of the node stopping", t.getName());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The thread that calls job listeners, started on first use. */
  private ExecutorService listenerPool() {
    // Its own lock: the completer calls this while stop() holds the engine's and waits for it.
    synchronized (listenerPoolLock) {
      if (listenerPool == null) {
        listenerPool =
            Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("offload-listeners").factory());
      }
      return listenerPool;
    }
  }

  /** Lets the listeners hear of what is queued for them, then ends their thread. */
  private void closeListenerPool() {
    ExecutorService pool;
    synchronized (listenerPoolLock) {
      pool = listenerPool;
      listenerPool = null;
    }
    if (pool != null) {
      pool.shutdown();
      try {
        if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
          pool.shutdownNow();
        }
      } catch (InterruptedException e) {
        pool.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops the node (see {@link #stop}) and ends every thread it ever started. */
  public synchronized void close(Duration grace) {
    stop(grace);
    closeListenerPool();
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.debug("close failed", e);
    }
  }

  private static final long PRUNE_EVERY_NANOS = 60_000_000_000L;
  private static final long SCHEDULE_CHECK_MILLIS = 250;

  /** Fires the due ticks of every schedule now; returns how many jobs this node enqueued. */
  public int fireSchedulesOnce() {
    return schedules.runOnce();
  }

  /** Runs one rescue pass now (tests and the CLI); tells listeners about jobs it declared dead. */
  public int rescueOnce() {
    List<Completion> ended = rescuer.runOnce();
    written(ended);
    return ended.size();
  }

  /** Runs one pruning pass now; returns how many jobs were deleted. */
  public int pruneOnce() {
    return pruner.runOnce();
  }

  /** A timeout ended the attempt. */
  static final class JobTimeoutException extends RuntimeException {
    JobTimeoutException(String message) {
      super(message);
    }
  }
}
