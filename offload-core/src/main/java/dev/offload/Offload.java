package dev.offload;

import dev.offload.engine.Engine;
import dev.offload.engine.EngineConfig;
import dev.offload.engine.Enqueuer;
import dev.offload.engine.JobWatcher;
import dev.offload.engine.Registration;
import dev.offload.store.JobInsert;
import dev.offload.store.Store;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.InetAddress;
import java.sql.Connection;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The entry point: enqueue jobs, read them back, and (after {@link #start()}) run them.
 *
 * <pre>{@code
 * Offload offload = Offload.builder()
 *     .store(SqliteStore.open(Path.of("offload.db")))
 *     .register("emails.send", EmailArgs.class, (args, ctx) -> mailer.send(args), JobOptions.defaults().queue("mail"))
 *     .queue("mail", 4)
 *     .build();
 * offload.start();
 * JobId id = offload.enqueue("emails.send", new EmailArgs("a@example.com"));
 * }</pre>
 *
 * <p>A node that only enqueues never calls {@link #start()}. Thread-safe. {@link #close()} stops
 * the workers gracefully and closes the store.
 */
public final class Offload implements AutoCloseable {
  private final Store store;
  private final Engine engine;
  private final Enqueuer enqueuer;
  private final EngineConfig config;
  private final JobWatcher watcher;

  private Offload(Store store, Map<String, Registration<?>> registry, EngineConfig config) {
    this.store = store;
    this.config = config;
    this.engine = new Engine(store, registry, config);
    this.enqueuer = new Enqueuer(store, registry, config);
    this.watcher = new JobWatcher(store);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts this node's workers: claiming, heartbeats, and leader duties when elected. */
  public void start() {
    engine.start();
  }

  /** Stops the workers gracefully (see {@link Builder#shutdownGrace}); the store stays open. */
  public void stop() {
    engine.stop(config.shutdownGrace());
  }

  /** Stops the workers gracefully and closes the store. */
  @Override
  public void close() {
    stop();
    watcher.close();
    store.close();
  }

  /**
   * Calls {@code listener} with the job as it is now, then after each change of its progress or
   * state made on any node, until the job ends (the final state is delivered) or the returned
   * handle is closed. Listeners run on a watcher thread and should be quick.
   */
  public AutoCloseable watch(JobId id, java.util.function.Consumer<Job> listener) {
    return watcher.watch(id.value(), listener);
  }

  /**
   * Enqueues a follow-up job of the same kind and args that processes only the items the given
   * job recorded as failed ({@link JobContext#retryItems()}), linked to it as its parent. Only the
   * listed items (the first {@value FailedItems#KEPT}) can be retried; {@link FailedItems#omitted()}
   * says how many were only counted.
   *
   * @throws IllegalArgumentException if the job does not exist or recorded no failed items
   */
  public JobId retryFailedItems(JobId id) {
    Job parent = job(id).orElseThrow(() -> new IllegalArgumentException("no job " + id));
    if (parent.failedItems() == null || parent.failedItems().items().isEmpty()) {
      throw new IllegalArgumentException("job " + id + " recorded no failed items to retry");
    }
    return new JobId(store.jobInsertMany(List.of(enqueuer.followUp(parent))).get(0));
  }

  /** This node's name, as written in leases and errors. */
  public String node() {
    return config.node();
  }

  /**
   * Enqueues one job.
   *
   * @throws UnknownKindException if no node knows the kind
   * @throws IllegalArgumentException if the args cannot be written as JSON or are too large
   * @throws OffloadException if the store cannot be reached
   */
  public JobId enqueue(String kind, Object args) {
    return enqueue(kind, args, EnqueueOptions.none());
  }

  public JobId enqueue(String kind, Object args, EnqueueOptions options) {
    return enqueueAll(List.of(JobRequest.of(kind, args, options))).get(0);
  }

  /** Enqueues inside the caller's transaction: the job exists only if {@code tx} commits. */
  public JobId enqueue(Connection tx, String kind, Object args) {
    return enqueue(tx, kind, args, EnqueueOptions.none());
  }

  public JobId enqueue(Connection tx, String kind, Object args, EnqueueOptions options) {
    return enqueueAll(tx, List.of(JobRequest.of(kind, args, options))).get(0);
  }

  /** Enqueues many jobs in one round trip; all or none are written. Ids in request order. */
  public List<JobId> enqueueAll(List<JobRequest> requests) {
    if (requests.isEmpty()) {
      return List.of();
    }
    return ids(store.jobInsertMany(enqueuer.inserts(requests)));
  }

  /** Enqueues many jobs inside the caller's transaction. */
  public List<JobId> enqueueAll(Connection tx, List<JobRequest> requests) {
    Objects.requireNonNull(tx, "tx");
    if (requests.isEmpty()) {
      return List.of();
    }
    List<JobInsert> inserts = enqueuer.inserts(requests);
    return ids(store.jobInsertMany(tx, inserts));
  }

  private static List<JobId> ids(List<Long> ids) {
    List<JobId> out = new ArrayList<>(ids.size());
    for (long id : ids) {
      out.add(new JobId(id));
    }
    return out;
  }

  public Optional<Job> job(JobId id) {
    return store.jobGet(id.value());
  }

  public JobPage jobs(JobQuery query) {
    return store.jobList(query);
  }

  /** Applies the store's pending schema migrations (also done by {@link Builder#build()} unless disabled). */
  public void migrate() {
    store.migrate();
  }

  /** Runs one pass of the rescuer now, whether or not this node leads. Returns the jobs rescued. */
  public int rescueNow() {
    return engine.rescueOnce();
  }

  /**
   * Configures an {@link Offload}. Defaults: queue {@code default} with concurrency 10 (when no
   * queue is configured), poll every 1 s, 30 s leases renewed every 10 s, rescue every 10 s, 10 s
   * shutdown grace, claims of at most 500 jobs, args of at most 1 MiB, migrations at build.
   */
  public static final class Builder {
    private Store store;
    private final Map<String, Registration<?>> registry = new LinkedHashMap<>();
    private final Map<String, Integer> queues = new LinkedHashMap<>();
    private String node;
    private Duration pollInterval = Duration.ofSeconds(1);
    private Duration leaseDuration = Duration.ofSeconds(30);
    private Duration heartbeatInterval;
    private Duration rescueInterval = Duration.ofSeconds(10);
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private Duration progressInterval = Duration.ofSeconds(1);
    private int maxClaimBatch = 500;
    private int maxArgsBytes = 1 << 20;
    private InstantSource clock = InstantSource.system();
    private boolean migrate = true;

    private Builder() {}

    public Builder store(Store store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Registers a handler whose args type is read from its class's {@code JobHandler<A>}. */
    public <A> Builder register(String kind, JobHandler<A> handler, JobOptions options) {
      return register(kind, argsTypeOf(handler), handler, options);
    }

    public <A> Builder register(String kind, Class<A> argsType, JobHandler<A> handler) {
      return register(kind, argsType, handler, JobOptions.defaults());
    }

    public <A> Builder register(String kind, Class<A> argsType, JobHandler<A> handler, JobOptions options) {
      Validate.kind(kind);
      if (registry.containsKey(kind)) {
        throw new IllegalArgumentException("kind '" + kind + "' is registered twice");
      }
      registry.put(kind, new Registration<>(kind, argsType, handler, options));
      return this;
    }

    /** Runs up to {@code concurrency} jobs of {@code name} at once on this node. */
    public Builder queue(String name, int concurrency) {
      Validate.queueName(name);
      if (concurrency < 1 || concurrency > 10_000) {
        throw new IllegalArgumentException("concurrency of queue '" + name + "' must be between 1 and 10000, got " + concurrency);
      }
      queues.put(name, concurrency);
      return this;
    }

    /** This node's name in leases and errors; default host name plus a random suffix. */
    public Builder node(String node) {
      this.node = Objects.requireNonNull(node, "node");
      return this;
    }

    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
      return this;
    }

    /** How long a claimed job stays leased without a heartbeat before it may be rescued. */
    public Builder leaseDuration(Duration leaseDuration) {
      this.leaseDuration = leaseDuration;
      return this;
    }

    /** How often leases are renewed; default a third of the lease. */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
      return this;
    }

    /** How often the leader looks for expired leases. */
    public Builder rescueInterval(Duration rescueInterval) {
      this.rescueInterval = rescueInterval;
      return this;
    }

    /** How long {@link #stop()} waits for running jobs before it releases them. */
    public Builder shutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = shutdownGrace;
      return this;
    }

    /** At most how often a running job's progress is written to the store; default 1 s. */
    public Builder progressInterval(Duration progressInterval) {
      this.progressInterval = progressInterval;
      return this;
    }

    public Builder maxClaimBatch(int maxClaimBatch) {
      this.maxClaimBatch = maxClaimBatch;
      return this;
    }

    public Builder maxArgsBytes(int maxArgsBytes) {
      this.maxArgsBytes = maxArgsBytes;
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Whether {@link #build()} applies pending migrations; default true. */
    public Builder migrate(boolean migrate) {
      this.migrate = migrate;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalStateException naming the field and value that is wrong
     */
    public Offload build() {
      if (store == null) {
        throw new IllegalStateException("store is required: Offload.builder().store(SqliteStore.open(path)) or PostgresStore");
      }
      requirePositive("pollInterval", pollInterval);
      requirePositive("leaseDuration", leaseDuration);
      requirePositive("rescueInterval", rescueInterval);
      requirePositive("progressInterval", progressInterval);
      Duration beat = heartbeatInterval != null ? heartbeatInterval : leaseDuration.dividedBy(3);
      requirePositive("heartbeatInterval", beat);
      if (beat.compareTo(leaseDuration) >= 0) {
        throw new IllegalStateException("heartbeatInterval " + beat + " must be shorter than leaseDuration " + leaseDuration);
      }
      if (shutdownGrace == null || shutdownGrace.isNegative()) {
        throw new IllegalStateException("shutdownGrace must not be negative, got " + shutdownGrace);
      }
      if (maxClaimBatch < 1 || maxClaimBatch > 10_000) {
        throw new IllegalStateException("maxClaimBatch must be between 1 and 10000, got " + maxClaimBatch);
      }
      if (maxArgsBytes < 2) {
        throw new IllegalStateException("maxArgsBytes must be at least 2, got " + maxArgsBytes);
      }
      Map<String, Integer> allQueues = new LinkedHashMap<>(queues);
      for (Registration<?> r : registry.values()) {
        allQueues.putIfAbsent(r.options().queue(), 10);
      }
      if (allQueues.isEmpty()) {
        allQueues.put("default", 10);
      }
      String nodeName = node != null ? node : defaultNodeName();
      EngineConfig config = new EngineConfig(
          nodeName, allQueues, pollInterval, leaseDuration, beat, rescueInterval, shutdownGrace,
          progressInterval, maxClaimBatch, maxArgsBytes, clock);
      if (migrate) {
        store.migrate();
      }
      return new Offload(store, registry, config);
    }

    private static void requirePositive(String field, Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalStateException(field + " must be positive, got " + value);
      }
    }

    private static String defaultNodeName() {
      String host;
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (Exception e) {
        host = "node";
      }
      return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @SuppressWarnings("unchecked")
    private static <A> Class<A> argsTypeOf(JobHandler<A> handler) {
      for (Type t : handler.getClass().getGenericInterfaces()) {
        if (t instanceof ParameterizedType p && p.getRawType() == JobHandler.class) {
          Type arg = p.getActualTypeArguments()[0];
          if (arg instanceof Class<?> c) {
            return (Class<A>) c;
          }
          if (arg instanceof ParameterizedType pa && pa.getRawType() instanceof Class<?> c) {
            return (Class<A>) c;
          }
        }
      }
      throw new IllegalArgumentException(
          "cannot tell the args type of " + handler.getClass().getName()
              + " (a lambda?): use register(kind, ArgsType.class, handler, options)");
    }
  }
}
