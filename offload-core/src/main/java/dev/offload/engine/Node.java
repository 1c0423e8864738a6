package dev.offload.engine;

import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job;
import dev.offload.JobHandler;
import dev.offload.JobOptions;
import dev.offload.Offload.JobListener;
import dev.offload.Schedule;
import dev.offload.store.Store;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.ScheduleRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The engine's one entry for the {@code Offload} façade: this node's workers ({@link Engine}), the
 * {@link Enqueuer} that validates inserts and the {@link JobWatcher} that follows jobs. Everything
 * else in this package is package-private; this package is not exported by the module, so only
 * {@code dev.offload} reaches it.
 */
public final class Node {
  private final Engine engine;
  private final Enqueuer enqueuer;
  private final JobWatcher watcher;
  private final EngineConfig config;
  private final Store store;

  public Node(Store store, Map<String, Registration<?>> registry, EngineConfig config) {
    this.config = config;
    this.store = store;
    this.enqueuer = new Enqueuer(store, registry, config);
    this.engine = new Engine(store, registry, config, enqueuer);
    this.watcher = new JobWatcher(store);
  }

  /** Starts claiming, heartbeats and leader duties. */
  public void start() {
    engine.start();
  }

  /** Stops the workers gracefully within the configured shutdown grace. */
  public void stop() {
    engine.stop(config.shutdownGrace());
  }

  /**
   * Stops the workers gracefully and ends every thread this node started (workers, listeners,
   * watcher); the store stays open.
   */
  public void close() {
    engine.close(config.shutdownGrace());
    watcher.close();
  }

  /** Stops following jobs (the workers are stopped by {@link #stop()}). */
  public void closeWatcher() {
    watcher.close();
  }

  /**
   * Validates {@code requests}, folds repeated idempotency keys together, writes the distinct jobs
   * with {@code write} (one store call, all or none) and tells the listeners.
   *
   * @return the id of every request, in request order
   */
  public List<Long> insert(List<JobRequest> requests, Function<List<JobInsert>, List<Long>> write) {
    return insert(requests, write, /* committed= */ false);
  }

  /**
   * As {@link #insert(List, Function)}; {@code committed} says that {@code write} commits (the
   * store's own transaction), so this node's claimers of the jobs' queues are woken at once rather
   * than by the notification's round trip through the database.
   */
  public List<Long> insert(
      List<JobRequest> requests, Function<List<JobInsert>, List<Long>> write, boolean committed) {
    Enqueuer.Batch batch = Enqueuer.distinctKeys(enqueuer.inserts(requests));
    if (committed && batch.distinct().size() == 1) {
      // One job in a transaction of its own: this node may claim it in the insert's transaction.
      Long id = engine.insertThenClaim(batch.distinct().get(0));
      if (id != null) {
        enqueued(batch.distinct());
        return batch.ids(List.of(id));
      }
    }
    List<Long> written = write.apply(batch.distinct());
    if (committed) {
      engine.wakeFor(batch.distinct(), written);
    }
    List<Long> ids = batch.ids(written);
    enqueued(batch.distinct());
    return ids;
  }

  /**
   * Validates {@code requests} into inserts without writing them (a workflow's steps, which the
   * store writes with their dependencies).
   */
  public List<JobInsert> validate(List<JobRequest> requests) {
    return enqueuer.inserts(requests);
  }

  private void enqueued(List<JobInsert> inserts) {
    if (config.listeners().isEmpty()) {
      return;
    }
    Map<List<String>, Integer> counts = new LinkedHashMap<>();
    for (JobInsert i : inserts) {
      counts.merge(List.of(i.kind(), i.queue()), 1, Integer::sum);
    }
    for (JobListener l : config.listeners()) {
      counts.forEach((kq, n) -> l.onEnqueued(kq.get(0), kq.get(1), n));
    }
  }

  /**
   * The insert of a follow-up job that retries only the items {@code parent} recorded as failed.
   */
  public JobInsert followUp(Job parent) {
    return enqueuer.followUp(parent);
  }

  /** Calls {@code listener} with the job now and after each change, until it ends or is closed. */
  public AutoCloseable watch(long id, Consumer<Job> listener) {
    return watcher.watch(id, listener);
  }

  /** Fires the due ticks of every schedule now; returns how many jobs were enqueued. */
  public int fireSchedulesOnce() {
    return engine.fireSchedulesOnce();
  }

  /** The job of a stored schedule for {@code tick} (its runAt), enqueued at {@code now}. */
  public static JobInsert scheduledJob(ScheduleRecord schedule, Instant tick, Instant now) {
    return Scheduler.job(schedule, tick, now);
  }

  /** The timing of a stored schedule. */
  public static Schedule timing(ScheduleRecord schedule) {
    return Scheduler.timing(schedule);
  }

  /** Whether this node's workers run (see {@link Engine#workersAlive()}). */
  public boolean workersAlive() {
    return engine.workersAlive();
  }

  /** This node changed a queue's flow-control options: claim by them at once. */
  public void queueOptionsChanged(String queue, dev.offload.QueueOptions options) {
    engine.queueOptionsChanged(queue, options);
  }

  /**
   * Writes a push endpoint's progress report (see {@link PushProgress#report}).
   *
   * @return false when {@code jobToken} is not the token of the attempt running job {@code id}
   */
  public boolean pushProgress(long id, String jobToken, String body) {
    return PushProgress.report(store, id, jobToken, body, config.clock().instant());
  }

  /** Runs jobs one at a time on the calling thread, without workers (the test kit). */
  public dev.offload.internal.OffloadInternals.JobStepper stepper() {
    return new Stepper(engine, store, config);
  }

  /** Runs one rescue pass now, whether or not this node leads; returns the jobs rescued. */
  public int rescueOnce() {
    return engine.rescueOnce();
  }

  /** Runs one pruning pass now, whether or not this node leads; returns the jobs deleted. */
  public int pruneOnce() {
    return engine.pruneOnce();
  }

  /**
   * How a node runs: its name, its queues and their per-node concurrency, and the timings of its
   * background services; for push queues, the base URL the node's API is reached at (for the
   * endpoints' progress URLs, or null) and where push secrets are read (environment variables by
   * default). Built and validated by {@code Offload.Builder}.
   */
  public record EngineConfig(
      String node,
      Map<String, Integer> queues,
      Duration pollInterval,
      Duration leaseDuration,
      Duration heartbeatInterval,
      Duration rescueInterval,
      Duration shutdownGrace,
      Duration progressInterval,
      int maxClaimBatch,
      int maxArgsBytes,
      int maxResultBytes,
      Duration retention,
      Duration deadRetention,
      List<JobListener> listeners,
      InstantSource clock,
      List<dev.offload.internal.OffloadInternals.JobInterceptor> interceptors,
      java.net.@org.jspecify.annotations.Nullable URI publicUrl,
      Function<String, String> pushSecrets) {
    public EngineConfig {
      queues = Map.copyOf(queues);
      listeners = List.copyOf(listeners);
      interceptors = List.copyOf(interceptors);
      Objects.requireNonNull(pushSecrets, "pushSecrets");
    }
  }

  /** A kind's handler, the type its args are read as, and its options. */
  public record Registration<A>(
      String kind, Class<A> argsType, JobHandler<A> handler, JobOptions options) {
    public Registration {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(argsType, "argsType");
      Objects.requireNonNull(handler, "handler");
      Objects.requireNonNull(options, "options");
    }
  }
}
