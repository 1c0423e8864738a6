package dev.offload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.EnqueueOptions.Enqueued;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job.FailedItems;
import dev.offload.Job.JobFilter;
import dev.offload.Job.JobId;
import dev.offload.Job.JobPage;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.OffloadException.IdempotencyKeyConflictException;
import dev.offload.OffloadException.InvalidJobException;
import dev.offload.OffloadException.NoSuchJobException;
import dev.offload.OffloadException.UnknownKindException;
import dev.offload.Schedule.ScheduleOptions;
import dev.offload.Schedule.Schedules;
import dev.offload.Workflow.BatchBuilder;
import dev.offload.Workflow.WorkflowBuilder;
import dev.offload.Workflow.WorkflowId;
import dev.offload.engine.Node;
import dev.offload.engine.Node.EngineConfig;
import dev.offload.engine.Node.Registration;
import dev.offload.internal.Json;
import dev.offload.internal.OffloadInternals;
import dev.offload.internal.OffloadInternals.JobInterceptor;
import dev.offload.internal.OffloadInternals.JobStepper;
import dev.offload.store.Store;
import java.sql.Connection;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

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
  static {
    OffloadInternals.provide(new InternalAccess());
  }

  private final Store store;
  private final Node node;
  private final EngineConfig config;
  private final Map<String, Registration<?>> registry;
  private volatile boolean startedOnce;
  private final Schedules schedules;
  private final List<DeclaredSchedule> declared;
  private final @Nullable ProgressTokens progressTokens;
  private final String webPath;
  private boolean closed;
  private final KindDurations kindDurations;
  private final Enqueuing enqueuing;
  private final JobActions actions;
  private final QueueReads queueReads;

  /** Made by {@link OffloadAssembly#build} from a checked {@link Builder}. */
  Offload(
      Store store,
      Map<String, Registration<?>> registry,
      EngineConfig config,
      List<DeclaredSchedule> declared,
      @Nullable ProgressTokens progressTokens,
      @Nullable TransactionLookup transactions,
      String webPath) {
    this.store = store;
    this.progressTokens = progressTokens;
    this.webPath = webPath;
    this.registry = Map.copyOf(registry);
    this.config = config;
    this.node = new Node(store, this.registry, config);
    this.schedules = new Schedules(store, this.registry, config.clock());
    this.declared = List.copyOf(declared);
    this.kindDurations = new KindDurations(store, config.clock());
    this.enqueuing = new Enqueuing(store, node, transactions, config.interceptors());
    this.actions = new JobActions(store, config.clock());
    this.queueReads = new QueueReads(store, config.clock());
  }

  /**
   * Finds the caller's open transaction for an enqueue that names none, so that {@code
   * enqueue(kind, args)} joins it as {@code enqueue(tx, kind, args)} would: the Spring Boot starter
   * returns the connection of the Spring-managed transaction on the calling thread. Called on the
   * enqueuing thread; null when there is none, and then the enqueue commits on its own.
   */
  @FunctionalInterface
  public interface TransactionLookup {
    /**
     * The connection of the transaction the calling thread is in, or null.
     *
     * @return the connection of the calling thread's transaction, or null
     */
    @Nullable Connection current();
  }

  Map<String, Class<?>> argsTypes() {
    Map<String, Class<?>> types = new LinkedHashMap<>();
    registry.forEach((kind, r) -> types.put(kind, r.argsType()));
    return types;
  }

  JobStepper stepper() {
    return node.stepper();
  }

  /** A schedule declared with {@link Builder#schedule}. */
  record DeclaredSchedule(
      String name, Schedule when, String kind, Object args, ScheduleOptions options) {}

  /** {@return a builder with the defaults listed on {@link Builder}} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts this node's workers: claiming, heartbeats, firing schedules, and leader duties when
   * elected. First stores the schedules declared with {@link Builder#schedule} (replacing their
   * definitions) and, when it declares any, disables those that earlier code declared and this code
   * no longer does. A node that was stopped may be started again.
   *
   * @throws IllegalStateException if it is started already, or closed
   * @throws OffloadException if the store cannot be reached (nothing is left running)
   */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException(
          "this Offload is closed (its store too); build a new one to start again");
    }
    storeDeclaredSchedules();
    node.start();
    startedOnce = true;
  }

  void storeDeclaredSchedules() {
    if (!declared.isEmpty()) {
      List<String> names = new ArrayList<>();
      for (DeclaredSchedule d : declared) {
        store.scheduleSave(
            schedules.record(d.name(), d.when(), d.kind(), d.args(), d.options(), true), true);
        names.add(d.name());
      }
      store.scheduleDisableUndeclared(names);
    }
  }

  /**
   * This node's workers and notifier, read from memory: cheap enough for every health check.
   * Workers that were started and are no longer running (stopped, or a thread died) are down.
   *
   * @return the node's name, whether its workers run, and whether its notifier is connected
   */
  public NodeHealth health() {
    NodeHealth.Workers workers =
        node.workersAlive()
            ? NodeHealth.Workers.RUNNING
            : startedOnce ? NodeHealth.Workers.DOWN : NodeHealth.Workers.OFF;
    return new NodeHealth(config.node(), workers, store.notifier().connected());
  }

  /**
   * One round trip to the store that reads no table.
   *
   * @throws OffloadException if the store does not answer
   */
  public void ping() {
    store.ping();
  }

  /**
   * Starts a workflow: steps (jobs) with dependencies, enqueued together by {@link
   * WorkflowBuilder#enqueue()}.
   *
   * @param name the workflow's name, for people
   * @return a builder of its steps
   */
  public WorkflowBuilder workflow(String name) {
    return new WorkflowBuilder(
        name,
        store,
        node::validate,
        config.clock(),
        () -> enqueuing.afterEnqueue(/* inTransaction= */ false));
  }

  /**
   * Enqueues a workflow given as JSON, the document of {@code POST /api/workflows}: {@code {"name",
   * "steps": [{"name", "kind", "args"?, "after"?, "queue"?, "priority"?, "onFailure"?}]}}.
   *
   * @param document the workflow as JSON
   * @return the workflow's id
   * @throws IllegalArgumentException naming the field or step at fault (a cycle, a missing or
   *     duplicate step, an unknown kind); nothing is written
   */
  public WorkflowId enqueueWorkflow(com.fasterxml.jackson.databind.JsonNode document) {
    return workflowFrom(document).enqueue();
  }

  /**
   * Reads a workflow given as JSON (as {@link #enqueueWorkflow} does) into a builder, not yet
   * enqueued: {@code workflowFrom(doc).allowUnknownKinds().enqueue()}.
   *
   * @param document the workflow as JSON
   * @return a builder holding its steps
   * @throws IllegalArgumentException naming the field or step at fault
   */
  public WorkflowBuilder workflowFrom(com.fasterxml.jackson.databind.JsonNode document) {
    return WorkflowDocument.read(document, this::workflow);
  }

  /**
   * Starts a batch: jobs enqueued together with a job that runs once when all of them have ended
   * ({@code onComplete}) or succeeded ({@code onSuccess}); see {@link BatchBuilder}.
   *
   * @param name the batch's name, for people
   * @return a builder of its jobs and callbacks
   */
  public BatchBuilder batch(String name) {
    return new BatchBuilder(name, store, node::validate, config.clock());
  }

  /**
   * A workflow with its steps' states and progress; empty if there is no such workflow. Its
   * progress weighs each step by its kind's median duration over the last day (equally when no kind
   * has one), with an estimate of the time left.
   *
   * @param id the workflow's id
   * @return the workflow, or empty
   */
  public Optional<Workflow> workflow(WorkflowId id) {
    return store
        .workflowGet(id.value())
        .map(r -> Workflow.of(r, kindDurations.mediansMs(), config.clock().instant()));
  }

  /**
   * Cancels every step of a workflow not yet finished (running ones are interrupted on their
   * nodes); the workflow is {@code cancelled}.
   *
   * @param id the workflow's id
   * @throws java.util.NoSuchElementException if there is no such workflow
   */
  public void cancelWorkflow(WorkflowId id) {
    if (!store.workflowCancel(id.value(), config.clock().instant())) {
      throw new java.util.NoSuchElementException("no workflow " + id);
    }
  }

  /**
   * Runs a workflow's dead and cancelled steps again and re-arms their dependents; steps that
   * succeeded are not run again.
   *
   * @param id the workflow's id
   * @throws java.util.NoSuchElementException if there is no such workflow
   */
  public void retryWorkflow(WorkflowId id) {
    if (!store.workflowRetry(id.value(), config.clock().instant())) {
      throw new java.util.NoSuchElementException("no workflow " + id);
    }
  }

  /**
   * The stored schedules: list, add, pause, resume, delete, run now.
   *
   * @return the schedules of the store
   */
  public Schedules schedules() {
    return schedules;
  }

  /**
   * Fires the due ticks of every schedule now, whether or not this node is started (tests, with an
   * injected clock). Returns how many jobs this call enqueued.
   *
   * @return how many jobs this call enqueued
   */
  public int fireSchedulesNow() {
    return node.fireSchedulesOnce();
  }

  /** Stops the workers gracefully (see {@link Builder#shutdownGrace}); the store stays open. */
  public void stop() {
    node.stop();
  }

  /**
   * Stops the workers gracefully and closes the store: every thread and connection this Offload
   * took is released (on PostgreSQL the leader's advisory lock too). Closing twice is harmless.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    node.close();
    store.close();
  }

  /**
   * Calls {@code listener} with the job as it is now, then after each change of its progress or
   * state made on any node, until the job ends (the final state is delivered) or the returned
   * handle is closed. Listeners run on a watcher thread and should be quick.
   *
   * @param id the job's id
   * @param listener called with the job as stored, on a watcher thread
   * @return closes the watch
   */
  public AutoCloseable watch(JobId id, java.util.function.Consumer<Job> listener) {
    Objects.requireNonNull(listener, "listener");
    return node.watch(id.value(), job -> listener.accept(queueReads.withWaiting(job)));
  }

  /**
   * Enqueues a follow-up job of the same kind and args that processes only the items the given job
   * recorded as failed ({@link JobContext#retryItems()}), linked to it as its parent. Only the
   * listed items (the first {@value FailedItems#KEPT}) can be retried; {@link
   * FailedItems#omitted()} says how many were only counted.
   *
   * @param id the job whose failed items to retry
   * @return the follow-up job's id
   * @throws NoSuchJobException if there is no such job
   * @throws IllegalStateException if the job recorded no failed items
   */
  public JobId retryFailedItems(JobId id) {
    Job parent = store.jobGet(id.value()).orElseThrow(() -> new NoSuchJobException(id));
    if (parent.failedItems() == null || parent.failedItems().items().isEmpty()) {
      throw new IllegalStateException("job " + id + " recorded no failed items to retry");
    }
    return enqueuing.followUp(parent);
  }

  /**
   * This node's name, as written in leases and errors.
   *
   * @return this node's name
   */
  public String node() {
    return config.node();
  }

  /**
   * Enqueues one job.
   *
   * @param kind the job's kind
   * @param args the job's args (anything Jackson can write), or null
   * @return the job's id
   * @throws UnknownKindException if no node knows the kind
   * @throws IllegalArgumentException if the args cannot be written as JSON or are too large
   * @throws IdempotencyKeyConflictException if the options' idempotency key is held by a job of
   *     another kind or with other args
   * @throws OffloadException if the store cannot be reached
   */
  public JobId enqueue(String kind, Object args) {
    return enqueue(kind, args, EnqueueOptions.none());
  }

  /**
   * Enqueues one job with options (queue, priority, run time, attempts, keys).
   *
   * @param kind the job's kind
   * @param args the job's args (anything Jackson can write), or null
   * @param options where, when and how it runs, and its keys
   * @return the job's id
   * @throws UnknownKindException if no node knows the kind
   * @throws IllegalArgumentException if the args cannot be written as JSON or are too large
   */
  public JobId enqueue(String kind, Object args, EnqueueOptions options) {
    return enqueueAll(List.of(JobRequest.of(kind, args, options))).get(0);
  }

  /**
   * Enqueues one job, or finds the job that holds its unique key ({@link EnqueueOptions#uniqueKey})
   * or idempotency key; says which.
   *
   * @param kind the job's kind
   * @param args the job's args (anything Jackson can write), or null
   * @param options where, when and how it runs, and its keys
   * @return the job's id, and whether it existed already
   * @throws UnknownKindException if no node knows the kind
   * @throws IllegalArgumentException if the args cannot be written as JSON or are too large
   */
  public Enqueued enqueueOrFind(String kind, Object args, EnqueueOptions options) {
    return enqueuing.enqueueOrFind(JobRequest.of(kind, args, options));
  }

  /**
   * Enqueues inside the caller's transaction: the job exists only if {@code tx} commits.
   *
   * @param tx the caller's open transaction
   * @param kind the job's kind
   * @param args the job's args (anything Jackson can write), or null
   * @return the job's id
   */
  public JobId enqueue(Connection tx, String kind, Object args) {
    return enqueue(tx, kind, args, EnqueueOptions.none());
  }

  /**
   * Enqueues one job with options inside the caller's transaction.
   *
   * @param tx the caller's open transaction
   * @param kind the job's kind
   * @param args the job's args (anything Jackson can write), or null
   * @param options where, when and how it runs, and its keys
   * @return the job's id
   */
  public JobId enqueue(Connection tx, String kind, Object args, EnqueueOptions options) {
    return enqueueAll(tx, List.of(JobRequest.of(kind, args, options))).get(0);
  }

  /**
   * Enqueues many jobs in one round trip; all or none are written. Ids in request order. Requests
   * that share an idempotency key get one job.
   *
   * @param requests the jobs
   * @return their ids, in request order
   * @throws IdempotencyKeyConflictException if a key is reused with another kind or other args
   *     (within the batch or by a stored job); nothing is written
   */
  public List<JobId> enqueueAll(List<JobRequest> requests) {
    return enqueuing.enqueueAll(requests);
  }

  /**
   * Enqueues many jobs inside the caller's transaction. When it throws, nothing of the batch is
   * left in the transaction.
   *
   * @param tx the caller's open transaction
   * @param requests the jobs
   * @return their ids, in request order
   */
  public List<JobId> enqueueAll(Connection tx, List<JobRequest> requests) {
    return enqueuing.enqueueAll(tx, requests);
  }

  /**
   * The job as stored; a due job that a queue's limit, rate or pause holds back says why in {@link
   * Job#waiting()} (read from the store's counts now, so it costs the claim path nothing).
   *
   * @param id the job's id
   * @return the job, or empty if there is no such job
   */
  public Optional<Job> job(JobId id) {
    return store.jobGet(id.value()).map(queueReads::withWaiting);
  }

  /**
   * One page of the jobs matching {@code query}, newest first.
   *
   * @param query the filter, the page size and the cursor of the page
   * @return the jobs and the cursor of the next page
   */
  public JobPage jobs(JobQuery query) {
    return store.jobList(query);
  }

  /**
   * Applies the store's pending schema migrations (also done by {@link Builder#build()} unless
   * disabled).
   */
  public void migrate() {
    store.migrate();
  }

  /**
   * Runs one pass of the rescuer now, whether or not this node leads. Returns the jobs rescued.
   *
   * @return how many jobs were rescued
   */
  public int rescueNow() {
    return node.rescueOnce();
  }

  /**
   * Runs one pass of retention pruning now, whether or not this node leads. Returns the jobs
   * deleted.
   *
   * @return how many jobs were deleted
   */
  public int pruneNow() {
    return node.pruneOnce();
  }

  // ---------------------------------------------------------------- actions on jobs

  /**
   * Cancels a job. A pending job is cancelled at once; a running one is interrupted on whatever
   * node runs it ({@link JobContext#isCancelled()} turns true) and ends {@code cancelled}, never
   * retried.
   *
   * @param id the job's id
   * @return {@code cancelled}, or {@code running} while the running attempt is being stopped
   * @throws NoSuchJobException if there is no such job
   * @throws IllegalStateException if the job already ended (succeeded, dead or cancelled)
   */
  public JobState cancel(JobId id) {
    return actions.cancel(id);
  }

  /**
   * Runs a job again: a dead or cancelled job becomes available with fresh attempts, keeping its
   * errors and checkpoint (a workflow step also re-arms the dependents its failure cancelled, down
   * the graph); a retrying or scheduled job runs now.
   *
   * @param id the job's id
   * @throws NoSuchJobException if there is no such job
   * @throws IllegalStateException if the job is running, available or succeeded
   */
  public void retry(JobId id) {
    actions.retry(id);
  }

  /**
   * Deletes a job that is not running.
   *
   * @param id the job's id
   * @throws NoSuchJobException if there is no such job
   * @throws IllegalStateException if it is running (cancel it first), or if unfinished workflow
   *     steps wait for it (the message names them; cancel it instead)
   */
  public void delete(JobId id) {
    actions.delete(id);
  }

  /**
   * Replays the dead (and cancelled) jobs matching {@code filter}, as {@link #retry} does; a filter
   * without a state means dead jobs. Returns how many were replayed.
   *
   * @param filter which jobs; its state is dead or cancelled (dead when unset)
   * @return how many were replayed
   */
  public int replay(JobFilter filter) {
    return actions.replay(filter);
  }

  /**
   * Deletes the finished jobs matching {@code filter}; a filter without a state means dead jobs.
   * Pending and running jobs are never purged. Returns how many were deleted.
   *
   * @param filter which jobs; its state is a final one (dead when unset)
   * @return how many were deleted
   */
  public int purge(JobFilter filter) {
    return actions.purge(filter);
  }

  // ---------------------------------------------------------------- inline or background

  /**
   * Enqueues a job durably and waits up to {@code budget} for it: the caller gets the result inline
   * ({@link Outcome.Finished}) when the job finishes in time, or the job's id and progress URL
   * ({@link Outcome.Deferred}) when it does not, while the job carries on. A node that runs the
   * kind is woken by the insert and starts the job at once. The wait is not a lease: the job runs
   * to its end whatever the caller does.
   *
   * @param resultType what the job's result is read as (a record, {@code String}, {@code
   *     JsonNode}...)
   * @param <R> the result's type
   * @param kind the job's kind
   * @param args the job's args (anything Jackson can write), or null
   * @param budget how long the caller waits for the result
   * @return the result, or the job to follow
   * @throws UnknownKindException if no node knows the kind
   * @throws IllegalArgumentException if the args cannot be written as JSON, or the result cannot be
   *     read as {@code resultType}
   * @throws InterruptedException if the caller is interrupted while waiting
   */
  public <R> Outcome<R> runOrDefer(String kind, Object args, Class<R> resultType, Duration budget)
      throws InterruptedException {
    return runOrDefer(kind, args, EnqueueOptions.none(), resultType, budget);
  }

  /**
   * As {@link #runOrDefer(String, Object, Class, Duration)}, with options.
   *
   * @param <R> the result's type
   * @param kind the job's kind
   * @param args the job's args (anything Jackson can write), or null
   * @param options where, when and how it runs, and its keys
   * @param resultType what the result is read as
   * @param budget how long the caller waits for the result
   * @return the result, or the job to follow
   * @throws InterruptedException if the caller is interrupted while waiting
   */
  public <R> Outcome<R> runOrDefer(
      String kind, Object args, EnqueueOptions options, Class<R> resultType, Duration budget)
      throws InterruptedException {
    Objects.requireNonNull(resultType, "resultType");
    Objects.requireNonNull(budget, "budget");
    // Never in the caller's transaction: the job must be visible at once to start within budget.
    JobId id = enqueuing.enqueueOwn(List.of(JobRequest.of(kind, args, options))).get(0);
    return await(id, resultType, budget);
  }

  /**
   * As {@link #runOrDefer(String, Object, Class, Duration)}, with the result as JSON.
   *
   * @param kind the job's kind
   * @param args the job's args (anything Jackson can write), or null
   * @param budget how long the caller waits for the result
   * @return the result as JSON, or the job to follow
   * @throws InterruptedException if the caller is interrupted while waiting
   */
  public Outcome<JsonNode> runOrDefer(String kind, Object args, Duration budget)
      throws InterruptedException {
    return runOrDefer(kind, args, EnqueueOptions.none(), JsonNode.class, budget);
  }

  /**
   * Waits up to {@code timeout} for a job to reach a final state; the result as JSON.
   *
   * @param id the job's id
   * @param timeout how long to wait
   * @return the result as JSON, or the job when it did not finish in time
   * @throws NoSuchJobException if there is no such job
   * @throws InterruptedException if the caller is interrupted while waiting
   */
  public Outcome<JsonNode> await(JobId id, Duration timeout) throws InterruptedException {
    return await(id, JsonNode.class, timeout);
  }

  /**
   * Waits up to {@code timeout} for a job to reach a final state; its result read as {@code
   * resultType}.
   *
   * @param <R> the result's type
   * @param id the job's id
   * @param resultType what the result is read as
   * @param timeout how long to wait
   * @return the result, or the job when it did not finish in time
   * @throws NoSuchJobException if there is no such job
   * @throws IllegalArgumentException if the result cannot be read as {@code resultType}
   * @throws InterruptedException if the caller is interrupted while waiting
   */
  public <R> Outcome<R> await(JobId id, Class<R> resultType, Duration timeout)
      throws InterruptedException {
    Job ended = Awaiting.finalState(node, id, timeout);
    Job job = ended != null ? ended : job(id).orElseThrow(() -> new NoSuchJobException(id));
    Outcome<R> outcome = Outcome.of(job, resultType);
    if (outcome instanceof Outcome.Deferred<R> deferred && progressTokens != null) {
      return new Outcome.Deferred<>(deferred.job(), progressUrl(id));
    }
    return outcome;
  }

  /** The longest request budget {@link #kindStats} compares run times against. */
  public static final Duration MAX_REQUEST_BUDGET = Duration.ofHours(24);

  /**
   * Run times of each kind over the last 24 hours, with advice: a kind whose p95 exceeds {@code
   * requestBudget} (typically 10 s) belongs in the background.
   *
   * @param requestBudget the time a request may take, 1 ms to 24 hours
   * @return the figures and advice of each kind that ran
   */
  public List<KindStats> kindStats(Duration requestBudget) {
    if (requestBudget.isNegative()
        || requestBudget.isZero()
        || requestBudget.compareTo(MAX_REQUEST_BUDGET) > 0) {
      throw new IllegalArgumentException(
          "budget must be between 1 ms and 24 hours, got " + requestBudget);
    }
    return store.kindStats(
        config.clock().instant().minus(Duration.ofDays(1)), requestBudget.toMillis());
  }

  // ---------------------------------------------------------------- progress for end users

  /** How long a progress token or URL is good for unless told otherwise: 24 hours. */
  public static final Duration DEFAULT_PROGRESS_TTL = Duration.ofHours(24);

  /**
   * A read token for one job, good for {@link #DEFAULT_PROGRESS_TTL}: whoever holds it may read
   * that job's state, progress, result and last error ({@code GET /api/jobs/{id}?token=…}) and
   * watch its events ({@code GET /api/jobs/{id}/events?token=…}), and nothing else: not its args,
   * not other jobs, no action. It is an HMAC-SHA256 signature over the job id and the expiry with
   * the key given to {@link Builder#progressKey}, so every node with the same key issues and
   * accepts the same tokens, and nothing is stored. It cannot be revoked before it expires: issue
   * short ones for sensitive jobs.
   *
   * @param id the job's id
   * @return the token
   * @throws IllegalStateException if no progress key was configured
   */
  public String progressToken(JobId id) {
    return progressToken(id, DEFAULT_PROGRESS_TTL);
  }

  /**
   * As {@link #progressToken(JobId)}, good for {@code ttl} (whole seconds; at least 1 s).
   *
   * @param id the job's id
   * @param ttl how long the token is good for
   * @return the token
   * @throws IllegalArgumentException if {@code ttl} is shorter than a second
   * @throws IllegalStateException if no progress key was configured
   */
  public String progressToken(JobId id, Duration ttl) {
    Objects.requireNonNull(id, "id");
    if (ttl == null || ttl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("ttl must be at least 1 second, got " + ttl);
    }
    if (progressTokens == null) {
      throw new IllegalStateException(
          "no progress key is configured: give one with Offload.builder().progressKey(bytes)"
              + " (offload serve reads OFFLOAD_PROGRESS_KEY)");
    }
    return progressTokens.issue(id.value(), config.clock().instant(), ttl);
  }

  /**
   * The job's signed progress URL, {@code /api/jobs/{id}?token=…} below {@link Builder#webPath}
   * (where the Offload server's API is served), good for {@link #DEFAULT_PROGRESS_TTL}. Give it to
   * the job's user, for example as {@code <offload-progress src="…">}; see {@link
   * #progressToken(JobId)} for what it opens.
   *
   * @param id the job's id
   * @return the URL, a path below the web path
   * @throws IllegalStateException if no progress key was configured
   */
  public String progressUrl(JobId id) {
    return progressUrl(id, DEFAULT_PROGRESS_TTL);
  }

  /**
   * As {@link #progressUrl(JobId)}, good for {@code ttl}.
   *
   * @param id the job's id
   * @param ttl how long the URL is good for
   * @return the URL, a path below the web path
   * @throws IllegalArgumentException if {@code ttl} is shorter than a second
   * @throws IllegalStateException if no progress key was configured
   */
  public String progressUrl(JobId id, Duration ttl) {
    return webPath + "/api/jobs/" + id.value() + "?token=" + progressToken(id, ttl);
  }

  /**
   * Whether {@code token} is a read token for job {@code id} (signed with this Offload's progress
   * key) that has not expired. False without a progress key. For servers that accept the tokens of
   * {@link #progressToken(JobId)}; the signature is compared in constant time.
   *
   * @param id the job's id
   * @param token the token presented
   * @return whether it opens that job now
   */
  public boolean progressTokenValid(JobId id, String token) {
    return progressTokens != null
        && id != null
        && progressTokens.verify(id.value(), token, config.clock().instant());
  }

  // ---------------------------------------------------------------- queues

  /**
   * Every queue with jobs or paused: counts per state, last-minute figures, and what its flow
   * control holds back ({@link QueueStats#flow()}).
   *
   * @return the queues, by name
   */
  public List<QueueStats> queues() {
    return queueReads.queues();
  }

  /**
   * Stops every node from claiming jobs of {@code queue}; running jobs finish.
   *
   * @param queue the queue's name
   */
  public void pauseQueue(String queue) {
    Validate.queueName(queue);
    store.queuePause(queue, true);
  }

  /**
   * Lets every node claim jobs of {@code queue} again, and wakes them.
   *
   * @param queue the queue's name
   */
  public void resumeQueue(String queue) {
    Validate.queueName(queue);
    store.queuePause(queue, false);
    store.notifier().publish(dev.offload.store.Store.Notifier.INSERT, queue);
  }

  /**
   * The flow-control options of every queue that has some (limits, rate, fairness, aging), as the
   * store holds them for all nodes.
   *
   * @return the options by queue name
   */
  public Map<String, QueueOptions> queueOptions() {
    return queueReads.options();
  }

  /**
   * The flow-control options of {@code queue}; {@link QueueOptions#none()} when it has none.
   *
   * @param queue the queue's name
   * @return its options
   */
  public QueueOptions queueOptions(String queue) {
    Validate.queueName(queue);
    return queueOptions().getOrDefault(queue, QueueOptions.none());
  }

  /**
   * Sets the flow-control options of {@code queue} for every node, replacing what it had (as an
   * operator's {@code offload queues set} does); every node applies them within a second.
   *
   * @param queue the queue's name
   * @param options the options; {@link QueueOptions#none()} removes every limit
   */
  public void updateQueue(String queue, QueueOptions options) {
    Validate.queueName(queue);
    store.queueSettingsPut(
        queue, Objects.requireNonNull(options, "options"), /* onlyIfUnconfigured= */ false);
    node.queueOptionsChanged(queue, options);
  }

  /**
   * Writes a progress report that a push endpoint sent for job {@code id} ({@code POST
   * /api/jobs/{id}/progress}): the job token of the delivery is the credential. See {@code
   * docs/push.md} for the body.
   *
   * @param id the job's id
   * @param jobToken the delivery's job token
   * @param body the report as JSON
   * @return false when {@code jobToken} is not the token of the attempt running the job now
   * @throws InvalidJobException naming the field, when {@code body} is not a progress report
   */
  public boolean reportPushProgress(long id, String jobToken, String body) {
    return node.pushProgress(id, jobToken, body);
  }

  /**
   * The kinds this node has handlers for, with their options.
   *
   * @return the options by kind, in registration order
   */
  public Map<String, JobOptions> kinds() {
    Map<String, JobOptions> kinds = new LinkedHashMap<>();
    registry.forEach((k, r) -> kinds.put(k, r.options()));
    return kinds;
  }

  /**
   * Configures an {@link Offload}. Defaults: queue {@code default} with concurrency 10 (when no
   * queue is configured), poll every 1 s, 30 s leases renewed every 10 s, rescue every 10 s, 10 s
   * shutdown grace, claims of at most 500 jobs, args of at most 1 MiB, results of at most 16 MiB,
   * migrations at build.
   */
  public static final class Builder {
    // Package-private: OffloadAssembly checks them and builds.
    @Nullable Store store;
    final Map<String, Registration<?>> registry = new LinkedHashMap<>();
    final Map<String, Integer> queues = new LinkedHashMap<>();
    final Map<String, QueueOptions> queueDefaults = new LinkedHashMap<>();
    @Nullable String node;
    Duration pollInterval = Duration.ofSeconds(1);
    Duration leaseDuration = Duration.ofSeconds(30);
    @Nullable Duration heartbeatInterval;
    Duration rescueInterval = Duration.ofSeconds(10);
    Duration shutdownGrace = Duration.ofSeconds(10);
    Duration progressInterval = Duration.ofSeconds(1);
    Duration retention = Duration.ofDays(7);
    Duration deadRetention = Duration.ofDays(30);
    final List<JobListener> listeners = new ArrayList<>();
    int maxClaimBatch = 500;
    int maxArgsBytes = 1 << 20;
    int maxResultBytes = 16 << 20;
    InstantSource clock = InstantSource.system();
    boolean migrate = true;
    final Map<String, DeclaredSchedule> declaredSchedules = new LinkedHashMap<>();
    byte @Nullable [] progressKey;
    java.net.@Nullable URI publicUrl;
    java.util.function.Function<String, @Nullable String> pushSecrets = System::getenv;
    @Nullable TransactionLookup transactions;
    String webPath = "";
    final List<JobInterceptor> interceptors = new ArrayList<>();

    private Builder() {}

    /**
     * The base URL this node's HTTP API is reached at by push endpoints (such as {@code
     * https://offload.example.com/}); with it, each push carries a {@code progressUrl}. Default:
     * none (no {@code progressUrl} is sent).
     *
     * @param publicUrl an absolute http(s) URL, or null for none
     * @return this builder
     */
    public Builder publicUrl(java.net.@Nullable URI publicUrl) {
      if (publicUrl != null
          && (!publicUrl.isAbsolute()
              || publicUrl.getHost() == null
              || !(publicUrl.getScheme().equalsIgnoreCase("http")
                  || publicUrl.getScheme().equalsIgnoreCase("https")))) {
        throw new IllegalArgumentException(
            "publicUrl must be an absolute http(s) URL, got '" + publicUrl + "'");
      }
      String text = publicUrl == null ? null : publicUrl.toString();
      this.publicUrl =
          text == null ? null : java.net.URI.create(text.endsWith("/") ? text : text + "/");
      return this;
    }

    /**
     * Where push secrets are read: {@code lookup} maps a queue's {@code secretEnv} name to the
     * secret. Default: {@link System#getenv(String)}. For a secret manager, or for tests.
     *
     * @param lookup the secret of a name, or null when it has none
     * @return this builder
     */
    public Builder pushSecrets(java.util.function.Function<String, @Nullable String> lookup) {
      this.pushSecrets = Objects.requireNonNull(lookup, "lookup");
      return this;
    }

    /**
     * Lets {@code enqueue(kind, args)}, {@code enqueueAll} and {@code enqueueOrFind} join the
     * caller's transaction when {@code lookup} finds one, as the {@code Connection} overloads do;
     * {@code runOrDefer} never joins (its job must start at once). Default none. The Spring Boot
     * starter sets it to follow {@code @Transactional}.
     *
     * @param lookup finds the calling thread's transaction
     * @return this builder
     */
    public Builder transactions(TransactionLookup lookup) {
      this.transactions = Objects.requireNonNull(lookup, "lookup");
      return this;
    }

    /**
     * The path the HTTP API is served under, which {@link Offload#progressUrl} starts with: {@code
     * "/offload"} gives {@code /offload/api/jobs/7?token=…}. Default {@code ""}, the standalone
     * server at the root.
     *
     * @param webPath empty, or a path that starts with '/' and does not end with one
     * @return this builder
     */
    public Builder webPath(String webPath) {
      Objects.requireNonNull(webPath, "webPath");
      if (!webPath.isEmpty() && (!webPath.startsWith("/") || webPath.endsWith("/"))) {
        throw new IllegalArgumentException(
            "webPath must be empty or start with '/' and not end with one, got '" + webPath + "'");
      }
      this.webPath = webPath;
      return this;
    }

    /**
     * The secret that signs progress tokens ({@link Offload#progressToken}): at least 16 bytes, 32
     * random bytes recommended; give every node that issues or accepts the tokens the same key.
     * Default none, and then no tokens are issued or accepted. Changing the key invalidates every
     * token issued with the old one.
     *
     * @param progressKey the key, at least 16 bytes
     * @return this builder
     */
    public Builder progressKey(byte[] progressKey) {
      Objects.requireNonNull(progressKey, "progressKey");
      this.progressKey = progressKey.clone();
      return this;
    }

    /**
     * Declares a schedule, stored (or its stored definition replaced) when the node starts: {@code
     * .schedule("monthly-report", Schedule.cron("0 6 1 * *", ZoneId.of("Europe/Copenhagen")),
     * "reports.monthly", args)}. A schedule that earlier code declared and this code does not is
     * disabled at start.
     *
     * @param name the schedule's name, unique in the store
     * @param when its timing
     * @param kind the kind of the jobs it enqueues
     * @param args their args (anything Jackson can write), or null
     * @return this builder
     */
    public Builder schedule(String name, Schedule when, String kind, Object args) {
      return schedule(name, when, kind, args, ScheduleOptions.defaults());
    }

    /**
     * Declares a schedule with options (catch-up policy, queue, priority, attempts); see {@link
     * #schedule(String, Schedule, String, Object)}.
     *
     * @param name the schedule's name, unique in the store
     * @param when its timing
     * @param kind the kind of the jobs it enqueues
     * @param args their args (anything Jackson can write), or null
     * @param options what a missed tick does, and the jobs' queue, priority and attempts
     * @return this builder
     */
    public Builder schedule(
        String name, Schedule when, String kind, Object args, ScheduleOptions options) {
      Validate.scheduleName(name);
      Validate.kind(kind);
      Objects.requireNonNull(when, "schedule");
      if (declaredSchedules.containsKey(name)) {
        throw new IllegalArgumentException("schedule '" + name + "' is declared twice");
      }
      declaredSchedules.put(name, new DeclaredSchedule(name, when, kind, args, options));
      return this;
    }

    /**
     * The store jobs are kept in: {@code SqliteStore.open(path)} or {@code
     * PostgresStore.connect(url)}. Required; {@link Offload#close()} closes it.
     *
     * @param store the store
     * @return this builder
     */
    public Builder store(Store store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Registers a handler whose args type is read from its class's {@code JobHandler<A>}.
     *
     * @param <A> the args type
     * @param kind the kind's name
     * @param handler runs the kind's jobs; its class names the args type
     * @param options the kind's options
     * @return this builder
     */
    public <A> Builder register(String kind, JobHandler<A> handler, JobOptions options) {
      return register(kind, OffloadAssembly.argsTypeOf(handler), handler, options);
    }

    /**
     * Registers the handler of a kind, with the default options.
     *
     * @param <A> the args type
     * @param kind the kind's name
     * @param argsType the class a job's args are read as
     * @param handler runs the kind's jobs
     * @return this builder
     * @throws IllegalArgumentException if the kind is registered already or its name is not valid
     */
    public <A> Builder register(String kind, Class<A> argsType, JobHandler<A> handler) {
      return register(kind, argsType, handler, JobOptions.defaults());
    }

    /**
     * Registers the handler of a kind.
     *
     * @param <A> the args type
     * @param kind the kind's name
     * @param argsType the class a job's args are read as
     * @param handler runs the kind's jobs
     * @param options the kind's options
     * @return this builder
     * @throws IllegalArgumentException if the kind is registered already or its name is not valid
     */
    public <A> Builder register(
        String kind, Class<A> argsType, JobHandler<A> handler, JobOptions options) {
      Validate.kind(kind);
      if (registry.containsKey(kind)) {
        throw new IllegalArgumentException("kind '" + kind + "' is registered twice");
      }
      registry.put(kind, new Registration<>(kind, argsType, handler, options));
      return this;
    }

    /**
     * Runs up to {@code concurrency} jobs of {@code name} at once on this node.
     *
     * @param name the queue's name
     * @param concurrency at most this many jobs at once on this node, 1 to 10,000
     * @return this builder
     */
    public Builder queue(String name, int concurrency) {
      Validate.queueName(name);
      if (concurrency < 1 || concurrency > 10_000) {
        throw new IllegalArgumentException(
            "concurrency of queue '" + name + "' must be between 1 and 10000, got " + concurrency);
      }
      queues.put(name, concurrency);
      return this;
    }

    /**
     * Declares the flow-control defaults of queue {@code name} (limits across all nodes, rate,
     * fairness, aging). They are written to the store at {@link #build()} only where the queue has
     * no options yet: the last node to start never overwrites what an operator set with {@code
     * offload queues set}. Change them at run time with {@link Offload#updateQueue}.
     *
     * @param name the queue's name
     * @param defaults the options to write where the queue has none
     * @return this builder
     */
    public Builder queue(String name, QueueOptions defaults) {
      Validate.queueName(name);
      queueDefaults.put(name, Objects.requireNonNull(defaults, "defaults"));
      return this;
    }

    /**
     * This node's name in leases and errors; default host name plus a random suffix.
     *
     * @param node the name
     * @return this builder
     */
    public Builder node(String node) {
      this.node = Objects.requireNonNull(node, "node");
      return this;
    }

    /**
     * How often an idle queue is claimed from when no insert notification wakes it; default 1 s.
     *
     * @param pollInterval the time between claims of an idle queue
     * @return this builder
     */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
      return this;
    }

    /**
     * How long a claimed job stays leased without a heartbeat before it may be rescued.
     *
     * @param leaseDuration the lease; default 30 s
     * @return this builder
     */
    public Builder leaseDuration(Duration leaseDuration) {
      this.leaseDuration = leaseDuration;
      return this;
    }

    /**
     * How often leases are renewed; default a third of the lease.
     *
     * @param heartbeatInterval the time between renewals
     * @return this builder
     */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
      return this;
    }

    /**
     * How often the leader looks for expired leases.
     *
     * @param rescueInterval the time between rescue passes; default 10 s
     * @return this builder
     */
    public Builder rescueInterval(Duration rescueInterval) {
      this.rescueInterval = rescueInterval;
      return this;
    }

    /**
     * How long {@link #stop()} waits for running jobs before it releases them.
     *
     * @param shutdownGrace the wait; default 10 s
     * @return this builder
     */
    public Builder shutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = shutdownGrace;
      return this;
    }

    /**
     * At most how often a running job's progress is written to the store; default 1 s.
     *
     * @param progressInterval the least time between two writes of a job's progress
     * @return this builder
     */
    public Builder progressInterval(Duration progressInterval) {
      this.progressInterval = progressInterval;
      return this;
    }

    /**
     * How long succeeded and cancelled jobs are kept; default 7 days.
     *
     * @param retention the time after a job finished
     * @return this builder
     */
    public Builder retention(Duration retention) {
      this.retention = retention;
      return this;
    }

    /**
     * How long dead jobs are kept; default 30 days.
     *
     * @param deadRetention the time after a job died
     * @return this builder
     */
    public Builder deadRetention(Duration deadRetention) {
      this.deadRetention = deadRetention;
      return this;
    }

    /**
     * Adds a listener told when jobs die on this node (for alerting).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(JobListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * The most jobs one claim statement takes; default 500.
     *
     * @param maxClaimBatch the limit
     * @return this builder
     */
    public Builder maxClaimBatch(int maxClaimBatch) {
      this.maxClaimBatch = maxClaimBatch;
      return this;
    }

    /**
     * The largest args an enqueue accepts, in bytes of JSON; default 1 MiB. Larger args are refused
     * with {@link OffloadException.InvalidJobException} on {@code args}.
     *
     * @param maxArgsBytes the limit, in bytes
     * @return this builder
     */
    public Builder maxArgsBytes(int maxArgsBytes) {
      this.maxArgsBytes = maxArgsBytes;
      return this;
    }

    /**
     * The largest result a handler may return, in bytes of JSON; default 16 MiB. An attempt whose
     * result is larger ends the job dead with {@code dev.offload.ResultNotStorable} and the size.
     *
     * @param maxResultBytes the limit, in bytes
     * @return this builder
     */
    public Builder maxResultBytes(int maxResultBytes) {
      this.maxResultBytes = maxResultBytes;
      return this;
    }

    /**
     * The clock that decides when jobs are due and stamps what the node writes (leases are measured
     * on the store's clock); default the system clock. Tests give one they move.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Whether {@link #build()} applies pending migrations; default true.
     *
     * @param migrate false when migrations are run by other means
     * @return this builder
     */
    public Builder migrate(boolean migrate) {
      this.migrate = migrate;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the Offload, not started
     * @throws IllegalStateException naming the field and value that is wrong
     */
    public Offload build() {
      return OffloadAssembly.build(this);
    }
  }

  /**
   * How this node is doing, as {@link Offload#health()} sees it without reading any job: whether
   * its workers run and whether wake-ups from other nodes reach it. The store is checked apart,
   * with {@link Offload#ping()}.
   *
   * @param node this node's name
   * @param workers whether the workers are off (never started: the node only enqueues or serves),
   *     running, or down (stopped, or a worker thread died)
   * @param notifierConnected false while a notifier that listens on a database connection has lost
   *     it (workers fall back to polling, event streams lag)
   */
  public record NodeHealth(String node, Workers workers, boolean notifierConnected) {
    /** The state of a node's workers. */
    public enum Workers {
      /** Never started: the node only enqueues or serves. */
      OFF,
      /** Started, and every worker thread runs. */
      RUNNING,
      /** Stopped, or a worker thread died. */
      DOWN;

      /**
       * {@return the name in JSON and in {@code /health}: {@code off}, {@code running}, {@code
       * down}}
       */
      public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
      }
    }

    /** {@return whether nothing of this node is down} */
    public boolean up() {
      return workers != Workers.DOWN && notifierConnected;
    }
  }

  /**
   * A queue now and over the last minute, for {@code GET /api/queues} and the dashboard.
   *
   * @param name the queue
   * @param paused whether claiming is paused on every node
   * @param counts jobs per state (states with no jobs are absent); {@code running} counts every job
   *     a node holds, whether its handler started ({@link #running()}) or not ({@code claimed})
   * @param claimed running jobs a node claimed ahead and holds for a free slot: their handlers have
   *     not started
   * @param finishedLastMinute jobs that reached a final state in the last minute
   * @param latencyP50Ms median wait from run_at to the handler's start, of jobs finished in the
   *     last minute, or null
   * @param runP50Ms median run time of jobs finished in the last minute, or null
   * @param flow what the queue's flow control holds back now ({@link Flow#none()} for a queue
   *     without limits and not paused)
   */
  public record QueueStats(
      String name,
      boolean paused,
      Map<JobState, Long> counts,
      long claimed,
      long finishedLastMinute,
      @Nullable Double latencyP50Ms,
      @Nullable Double runP50Ms,
      Flow flow) {

    /** Copies the counts; a null flow is {@link Flow#none()}. */
    public QueueStats {
      counts = Map.copyOf(counts);
      flow = flow == null ? Flow.none() : flow;
    }

    /**
     * {@return jobs whose handlers are running now (held jobs not started are {@link #claimed()})}
     */
    public long running() {
      return Math.max(0, count(JobState.RUNNING) - claimed);
    }

    /**
     * The jobs of the queue in one state.
     *
     * @param state the state
     * @return how many jobs are in it, 0 when none
     */
    public long count(JobState state) {
      return counts.getOrDefault(state, 0L);
    }

    /**
     * This queue with what its flow control holds back.
     *
     * @param flow what it holds back
     * @return a copy with {@code flow}
     */
    public QueueStats withFlow(Flow flow) {
      return new QueueStats(
          name, paused, counts, claimed, finishedLastMinute, latencyP50Ms, runP50Ms, flow);
    }

    /**
     * What a queue's flow control holds back now, counted from the store's rows as claims count
     * them (running with a live lease). Each due job that cannot start is counted once, under the
     * first reason that holds it: paused, then the queue's limit, the queue's rate, its key's
     * limit, its key's rate.
     *
     * @param slotsInUse under a queue limit, the slots nodes hold as leases (what {@code
     *     maxRunning} counts); otherwise jobs running with a live lease
     * @param keysAtLimit concurrency keys whose running jobs fill {@code perKey}
     * @param waitingOnQueueLimit due jobs held because the queue runs {@code maxRunning} jobs
     * @param waitingOnKeyLimit due jobs held because their key runs {@code perKey} jobs
     * @param waitingOnRate due jobs held by the rate (the queue's, or their key's)
     * @param waitingPaused due jobs held because the queue is paused
     */
    public record Flow(
        long slotsInUse,
        long keysAtLimit,
        long waitingOnQueueLimit,
        long waitingOnKeyLimit,
        long waitingOnRate,
        long waitingPaused) {
      private static final Flow NONE = new Flow(0, 0, 0, 0, 0, 0);

      /** {@return nothing held back, nothing running} */
      public static Flow none() {
        return NONE;
      }

      /** {@return the due jobs that a limit, a rate or a pause holds back} */
      public long waiting() {
        return waitingOnQueueLimit + waitingOnKeyLimit + waitingOnRate + waitingPaused;
      }
    }
  }

  /**
   * How long a kind's recent successful jobs took (the last 24 hours, at most 1,000 jobs), and
   * whether it belongs in the background: a kind whose p95 exceeds the request budget keeps users
   * waiting when run inline. A job's time is its whole time, from its handler's first start to its
   * end, across every attempt and the backoff between them (a 31-second sync that succeeded on its
   * second attempt took 31 seconds for its user, however short that attempt was); the queue wait
   * before the first start is shown beside it.
   *
   * @param kind the kind
   * @param runs how many jobs the figures cover
   * @param p50Ms median time from first start to end
   * @param p95Ms 95th percentile time from first start to end
   * @param maxMs longest time from first start to end
   * @param budgetMs the request budget compared against
   * @param advice "inline" when p95 fits the budget, "background" when it does not
   * @param waitP50Ms median queue wait, from when the job was due to its handler's first start
   * @param waitP95Ms 95th percentile queue wait
   */
  public record KindStats(
      String kind,
      long runs,
      double p50Ms,
      double p95Ms,
      double maxMs,
      long budgetMs,
      String advice,
      double waitP50Ms,
      double waitP95Ms) {

    /**
     * The advice for a kind's figures.
     *
     * @param p95Ms 95th percentile time from first start to end
     * @param budgetMs the request budget compared against
     * @return "inline" when {@code p95Ms} fits the budget, "background" when it does not
     */
    public static String advice(double p95Ms, long budgetMs) {
      return p95Ms <= budgetMs ? "inline" : "background";
    }
  }

  /**
   * Told what happens to jobs on this node: for alerting ({@link #onDead}) and metrics (the rest).
   * Register with {@link Offload.Builder#listener}; every method has an empty default.
   *
   * <p>{@link #onEnqueued}, {@link #onStarted} and {@link #onFinished} are called on the thread
   * doing the work, on the hot path: keep them as cheap as incrementing a counter. {@link #onDead}
   * and {@link #onRetrying} are called on a listener thread after the outcome is stored and may
   * take their time. Exceptions are logged and ignored.
   */
  public interface JobListener {
    /**
     * The job is dead: its attempts are used up, it failed permanently, or its worker kept dying.
     *
     * @param job the job as stored
     */
    default void onDead(Job job) {}

    /**
     * An attempt of the job failed here and the job will run again ({@code retrying}; its last
     * error says why, {@link Job#runAt()} when). Called on the listener thread, as {@link #onDead}
     * is.
     *
     * @param job the job as stored
     */
    default void onRetrying(Job job) {}

    /**
     * Jobs were enqueued by this node.
     *
     * @param kind their kind
     * @param queue their queue
     * @param count how many
     */
    default void onEnqueued(String kind, String queue, int count) {}

    /**
     * An attempt started here.
     *
     * @param kind the job's kind
     * @param queue the job's queue
     * @param waitedMillis the time since the job became runnable
     */
    default void onStarted(String kind, String queue, long waitedMillis) {}

    /**
     * An attempt ended here.
     *
     * @param kind the job's kind
     * @param queue the job's queue
     * @param state succeeded, retrying (a failed attempt), dead or cancelled
     * @param runMillis how long the attempt ran
     */
    default void onFinished(String kind, String queue, JobState state, long runMillis) {}
  }

  /**
   * What {@link Offload#runOrDefer} (or {@link Offload#await}) came back with: either the job
   * {@link Finished finished} within the budget, with its result read as {@code R}, or it is {@link
   * Deferred deferred}: it keeps running in the background, and the caller answers with its id and
   * progress URL.
   *
   * <pre>{@code
   * switch (offload.runOrDefer("reports.monthly", args, Report.class, Duration.ofSeconds(10))) {
   *   case Outcome.Finished<Report> f when f.succeeded() -> render(f.result());
   *   case Outcome.Finished<Report> f -> fail(f.job().errors());
   *   case Outcome.Deferred<Report> d -> accepted(d.id(), d.progressUrl());
   * }
   * }</pre>
   *
   * @param <R> the type the job's result is read as
   */
  public sealed interface Outcome<R> {

    /** {@return the job as it was when the call returned} */
    Job job();

    /** {@return the job's id} */
    default JobId id() {
      return job().id();
    }

    /**
     * {@return whether the job reached a final state (succeeded, dead or cancelled) within the
     * budget}
     */
    default boolean finished() {
      return this instanceof Finished;
    }

    /** {@return whether the job succeeded within the budget} */
    default boolean succeeded() {
      return job().state() == JobState.SUCCEEDED;
    }

    /**
     * The path at which the Offload server shows the job ({@code /api/jobs/{id}}, with its events
     * at {@code /api/jobs/{id}/events}), relative to where the server's API is mounted. A {@link
     * Deferred} of an Offload with a progress key carries the job's signed URL instead ({@link
     * Offload#progressUrl(JobId)}), which the job's user may be given.
     *
     * @return the path or URL
     */
    default String progressUrl() {
      return "/api/jobs/" + id().value();
    }

    /**
     * The job ended within the budget.
     *
     * @param job the job in its final state
     * @param result its result read as {@code R} when it succeeded with a result, else null
     * @param <R> the type the result is read as
     */
    record Finished<R>(Job job, @Nullable R result) implements Outcome<R> {
      /** Checks that the job is in a final state. */
      public Finished {
        if (!job.state().isFinal()) {
          throw new IllegalArgumentException(
              "job " + job.id() + " is " + job.state().wireName() + ", not finished");
        }
      }
    }

    /**
     * The job did not end within the budget; it carries on in the background.
     *
     * @param job the job when the call returned (scheduled, available, running or retrying)
     * @param progressUrl where to follow it: the signed URL of {@link Offload#progressUrl(JobId)}
     *     (valid for {@link Offload#DEFAULT_PROGRESS_TTL}) when the Offload has a progress key,
     *     else the plain {@code /api/jobs/{id}}, which needs the admin token
     * @param <R> the type the result would be read as
     */
    record Deferred<R>(Job job, String progressUrl) implements Outcome<R> {
      /** Checks that there is a progress URL. */
      public Deferred {
        java.util.Objects.requireNonNull(progressUrl, "progressUrl");
      }

      /**
       * The job with its plain path as the progress URL.
       *
       * @param job the job when the call returned
       */
      public Deferred(Job job) {
        this(job, "/api/jobs/" + job.id().value());
      }
    }

    /**
     * The outcome for {@code job} as read now, its result read as {@code type}.
     *
     * @param <R> the result's type
     * @param job the job as read now
     * @param type what its result is read as
     * @return finished when the job is in a final state, else deferred
     * @throws IllegalArgumentException if the job succeeded with a result that is not a {@code
     *     type}
     */
    static <R> Outcome<R> of(Job job, Class<R> type) {
      if (!job.state().isFinal()) {
        return new Deferred<>(job);
      }
      if (job.state() != JobState.SUCCEEDED || job.result() == null || job.result().isNull()) {
        return new Finished<>(job, null);
      }
      try {
        return new Finished<>(job, Json.convert(job.result(), type));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            "the result of job "
                + job.id()
                + " is not a "
                + type.getSimpleName()
                + ": "
                + e.getOriginalMessage(),
            e);
      }
    }
  }
}
