package dev.offload.store;

import static dev.offload.Job.JobState.AVAILABLE;
import static dev.offload.Job.JobState.CANCELLED;
import static dev.offload.Job.JobState.DEAD;
import static dev.offload.Job.JobState.RETRYING;
import static dev.offload.Job.JobState.RUNNING;
import static dev.offload.Job.JobState.SCHEDULED;
import static dev.offload.Job.JobState.SUCCEEDED;
import static dev.offload.Job.JobState.WAITING;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job;
import dev.offload.Job.JobFilter;
import dev.offload.Job.JobPage;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Offload.KindStats;
import dev.offload.Offload.QueueStats;
import dev.offload.OffloadException;
import dev.offload.OffloadException.IdempotencyKeyConflictException;
import dev.offload.QueueOptions;
import dev.offload.QueueOptions.Rate;
import dev.offload.internal.Json;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Persistence for Offload's engine: complete SQL per database, no policy (no backoff, no retry
 * decisions; those are the engine's). This interface serves Offload's own stores ({@code
 * PostgresStore}, {@code SqliteStore}) and may change between versions.
 *
 * <p>Implementations are thread-safe. Failures surface as {@link dev.offload.OffloadException}.
 *
 * <p><b>Two clocks.</b> The {@code now} the engine passes (its injectable clock) decides when a job
 * is due ({@code run_at}) and is written as started, finished and retry times. Leases are measured
 * on the store's own clock instead, so nodes whose clocks disagree still agree on whose lease
 * expired: PostgreSQL uses the database server's {@code now()}; SQLite, one machine, uses that
 * machine's clock. Lease expiry, heartbeats, stuck jobs and the rescue guard all use it.
 */
public interface Store extends AutoCloseable {

  /**
   * One cheap round trip to the database (no table is read), for health checks.
   *
   * @throws dev.offload.OffloadException if the database does not answer
   */
  void ping();

  /** Applies pending schema migrations; safe to call from many nodes at once. */
  void migrate();

  /**
   * How far the database's schema is migrated. Only reads: never creates or migrates anything, so
   * read-only tools can refuse a store that is missing or old instead of changing it.
   *
   * @return the schema's version and the latest this store knows
   */
  SchemaVersion schemaVersion();

  /**
   * Inserts jobs, all or none, and wakes the workers of their queues; results in input order (see
   * {@link JobInsert} for unique and idempotency keys). Jobs without a unique key go in one round
   * trip. Completions, progress and checkpoint writes notify {@link Notifier#JOB} with the ids they
   * changed.
   *
   * @param jobs the jobs
   * @return each job's id, and whether it existed already
   */
  List<InsertResult> jobInsertManyResults(List<JobInsert> jobs);

  /**
   * Inserts jobs on the caller's connection without committing: they exist only if the caller's
   * transaction commits.
   *
   * @param tx the caller's open transaction
   * @param jobs the jobs
   * @return each job's id, and whether it existed already
   */
  List<InsertResult> jobInsertManyResults(Connection tx, List<JobInsert> jobs);

  /**
   * {@link #jobInsertManyResults(List)}, the ids only.
   *
   * @param jobs the jobs
   * @return their ids, in input order
   */
  default List<Long> jobInsertMany(List<JobInsert> jobs) {
    return InsertResult.ids(jobInsertManyResults(jobs));
  }

  /**
   * {@link #jobInsertManyResults(Connection, List)}, the ids only.
   *
   * @param tx the caller's open transaction
   * @param jobs the jobs
   * @return their ids, in input order
   */
  default List<Long> jobInsertMany(Connection tx, List<JobInsert> jobs) {
    return InsertResult.ids(jobInsertManyResults(tx, jobs));
  }

  /**
   * A new connection to the store's database, for a transaction the caller owns (for instance many
   * {@link #jobInsertMany(Connection, List)} calls that commit or roll back together). The caller
   * closes it.
   *
   * @return an open connection
   */
  Connection connectionOpen();

  /**
   * Claims runnable jobs in one statement; see {@link ClaimParams}.
   *
   * @param params the queue, kinds, limit, node, token, time and lease
   * @return the claimed jobs, in claim order
   */
  List<ClaimedJob> jobClaim(ClaimParams params);

  /**
   * Claims job {@code id} if {@link #jobClaim} could claim it now, by the rules of {@code params}:
   * the engine's claim of a job its own node has just inserted into a queue that was idle there,
   * which need not search the queue for it. A job already claimed, not due, of another queue or
   * kind, or of a queue its flow control keeps from the lock-free claim is not claimed. The engine
   * never calls it for a queue claimed under its lock ({@link QueueOptions#claimedUnderLock()}).
   *
   * <p>The default claims as {@link #jobClaim} does, for a store whose claim costs no more than a
   * lookup by id when the queue holds little: SQLite updates rows in place, while PostgreSQL's
   * claim index keeps an entry of every job claimed since the last {@code VACUUM}.
   *
   * @param params the queue, kinds, limit, node, token, time and lease
   * @param id the job's id
   * @return the claimed jobs, in claim order
   */
  default List<ClaimedJob> jobClaimInserted(ClaimParams params, long id) {
    return jobClaim(params);
  }

  /**
   * Inserts {@code job} in a transaction of its own and claims it by the rules of {@code params},
   * as {@link #jobClaimInserted} would: the engine's enqueue of one job into a queue that is idle
   * on its own node, which will run it. The engine calls it only for a runnable job without an
   * idempotency or unique key, of a kind {@code params} names, into a queue not claimed under its
   * lock. A job the rules keep from this claim (its queue paused meanwhile, say) is inserted and
   * left to any claim, and so is every job when the claim fails after the insert committed: the
   * insert's outcome is the call's. A job inserted and not claimed is announced as any insert is; a
   * job claimed need not be (no one else can take it).
   *
   * <p>The default inserts ({@link #jobInsertMany(List)}), then claims ({@link #jobClaimInserted}),
   * two transactions. PostgreSQL inserts the row already claimed when the queue's rules allow it:
   * one statement and one commit, whose flush is most of an idle enqueue-to-start.
   *
   * @param job the job, runnable now
   * @param params the claim's queue, kinds, node, token, time and lease
   * @return the job's id, and the job if it was claimed
   */
  default InsertedThenClaimed jobInsertThenClaim(JobInsert job, ClaimParams params) {
    long id = jobInsertMany(List.of(job)).get(0);
    try {
      return new InsertedThenClaimed(id, jobClaimInserted(params, id));
    } catch (RuntimeException e) {
      // The job is stored: the enqueue succeeded, and any claim finds it.
      return new InsertedThenClaimed(id, List.of());
    }
  }

  /**
   * What {@link #jobInsertThenClaim} did.
   *
   * @param id the inserted job's id
   * @param claimed the job as claimed, or empty when it was left to any claim
   */
  public record InsertedThenClaimed(long id, List<ClaimedJob> claimed) {
    /** Copies the list. */
    public InsertedThenClaimed {
      claimed = List.copyOf(claimed);
    }
  }

  /**
   * Ends attempts in one transaction. A completion whose token no longer matches a running job is
   * ignored. A workflow step that ends releases its waiting dependents in the same transaction: a
   * dependent whose dependencies all succeeded becomes available (an {@code onFailure=continue} one
   * once they all ended); one whose dependency ended dead or cancelled is cancelled, and so on down
   * the graph.
   *
   * @param completions the ends of attempts
   * @return the ids that were written
   */
  List<Long> jobCompleteMany(List<Completion> completions);

  /**
   * Writes the progress of running attempts in one statement and notifies {@link Notifier#JOB};
   * updates whose token no longer holds the job are ignored.
   *
   * @param updates the progress of running attempts
   * @return the ids that were written
   */
  List<Long> jobProgressMany(List<ProgressUpdate> updates);

  /**
   * Writes when the handlers of claimed jobs started, in one statement: started_at, and the first
   * start and its due time (run_at) when the job had none. A job claimed but not started yet (held
   * ahead of a free slot) has no started_at. Starts whose token no longer holds the job, or that
   * are written already, are ignored.
   *
   * @param starts when the handlers started
   * @return the ids that were written
   */
  List<Long> jobStartMany(List<JobStart> starts);

  /**
   * Durably stores a running attempt's checkpoint and the items that failed so far.
   *
   * @param id the job's id
   * @param token the attempt's claim token
   * @param checkpointJson the checkpoint as JSON
   * @param failedItemsJson the items failed so far as JSON, or null
   * @return false when {@code token} no longer holds the job (its lease was lost)
   */
  boolean jobCheckpoint(long id, long token, String checkpointJson, String failedItemsJson);

  /**
   * Run-time figures of the kinds that succeeded since {@code since} (the last 1,000 runs of each
   * at most); {@code budgetMs} goes into each {@link KindStats}'s advice.
   *
   * @param since the start of the period
   * @param budgetMs the request budget
   * @return the figures of each kind that succeeded in the period
   */
  List<KindStats> kindStats(Instant since, long budgetMs);

  /**
   * The stored progress of the latest succeeded jobs of {@code kind}, newest first.
   *
   * @param kind the kind
   * @param limit how many jobs at most
   * @return their progress as JSON
   */
  List<String> jobRecentProgress(String kind, int limit);

  /**
   * Extends the leases of {@code node}'s running jobs to {@code lease} from now, on the store's
   * clock: each only while its job still runs under the presented claim token, held by {@code
   * node}.
   *
   * @param node the node that holds the leases
   * @param leases the jobs and claim tokens
   * @param lease the new lease, from now on the store's clock
   * @return the leases renewed (the others are lost), and which of them a user asked to cancel
   */
  Heartbeat jobHeartbeat(String node, Collection<LeasedJob> leases, Duration lease);

  /**
   * Cancels a job: a pending one (scheduled, available, retrying) at once; for a running one,
   * records the request and notifies {@link Notifier#CANCEL} so its node interrupts it.
   *
   * @param id the job's id
   * @param now the engine's time, written as the finish time
   * @return the state the job had: it was cancelled if that was pending, asked to stop if {@code
   *     running}, and left alone if final; empty if there is no such job
   */
  Optional<JobState> jobCancel(long id, Instant now);

  /**
   * Runs a job again: a dead or cancelled one becomes available with fresh attempts (its errors and
   * checkpoint kept), and the workflow steps its failure cancelled (not those a user cancelled)
   * wait again, down the graph, in the same transaction; a retrying or scheduled one runs now.
   *
   * @param id the job's id
   * @param now the engine's time: the job is due from then
   * @return the state the job had; it changed only if that was dead, cancelled, retrying or
   *     scheduled; empty if there is no such job
   */
  Optional<JobState> jobRetry(long id, Instant now);

  /**
   * Deletes a job that is not running and that no unfinished workflow step waits for.
   *
   * @param id the job's id
   * @return the state the job had (nothing was deleted if it was running); empty if none
   * @throws IllegalStateException naming the steps, if unfinished workflow steps wait for the job
   *     (deleting it would leave them waiting forever); nothing is deleted
   */
  Optional<JobState> jobDelete(long id);

  /**
   * The refusal of {@link #jobDelete}, the same on every store: throws when {@code waiting} (the
   * unfinished steps that wait for job {@code id}, described) is not empty.
   *
   * @param id the job's id
   * @param waiting the steps that wait for it, described
   */
  static void refuseIfDependedOn(long id, java.util.List<String> waiting) {
    if (!waiting.isEmpty()) {
      throw new IllegalStateException(
          "job "
              + id
              + " cannot be deleted: unfinished workflow steps wait for it: "
              + String.join(", ", waiting)
              + "; cancel it instead (its dependents then follow their failure policy)");
    }
  }

  /**
   * Replays the dead and cancelled jobs matching {@code filter}, as {@link #jobRetry}; returns how
   * many.
   *
   * @param filter which jobs
   * @param now the engine's time: the jobs are due from then
   * @return how many were replayed
   */
  int jobReplayMany(JobFilter filter, Instant now);

  /**
   * Deletes the jobs matching {@code filter} that are not running or pending; returns how many.
   *
   * @param filter which jobs
   * @return how many were deleted
   */
  int jobDeleteMany(JobFilter filter);

  /**
   * Deletes up to {@code limit} jobs in {@code state} that finished before {@code before}.
   *
   * @param state succeeded, cancelled or dead
   * @param before the jobs finished before this go
   * @param limit how many at most
   * @return how many were deleted
   */
  int jobPrune(JobState state, Instant before, int limit);

  /**
   * Every queue that has jobs or was paused, with counts and last-minute figures.
   *
   * @param now the engine's time, which the last minute is counted back from
   * @return the queues, by name
   */
  List<QueueStats> queueStats(Instant now);

  /**
   * Pauses or resumes claiming from {@code queue} on every node.
   *
   * @param queue the queue's name
   * @param paused true to pause, false to resume
   */
  void queuePause(String queue, boolean paused);

  /**
   * Every queue with a row of settings (paused, or given flow-control options), by name.
   *
   * @return the settings, by queue name
   */
  List<QueueSettings> queueSettingsList();

  /**
   * Writes the flow-control options of {@code queue}, keeping its paused flag.
   *
   * @param onlyIfUnconfigured write only when no options were ever written for the queue (a node's
   *     code-declared defaults never overwrite what an operator set)
   * @param queue the queue's name
   * @param options its options
   * @return whether the options were written
   */
  boolean queueSettingsPut(String queue, QueueOptions options, boolean onlyIfUnconfigured);

  /**
   * Counts what the flow control of {@code queue} holds back: its due jobs by {@code now} (the
   * engine's clock), what runs with a live lease, and against {@code options}' per-key limit and
   * rate per key, the keys at their limit and the due jobs they hold; with a {@code key}, also what
   * that key uses. Reads only, without the claim's lock: the claim path pays nothing for it.
   *
   * @param queue the queue's name
   * @param options its options
   * @param key a concurrency key to count too, or null
   * @param now the engine's time
   * @return the counts
   */
  QueueFlow queueFlow(
      String queue,
      QueueOptions options,
      @org.jspecify.annotations.Nullable String key,
      Instant now);

  /**
   * Takes, keeps or gives back this node's slots of a queue limit ({@code maxRunning}), held as a
   * lease on the store's clock. Under a lock for the queue's slots: the limit, read afresh, less
   * what the other nodes' live leases hold, is what this node may take of what it wants; while
   * another node wants more than it holds, no more than this node's fair share (the limit split
   * evenly between the nodes that want slots). The lease records what this node may be running
   * until it asks again: the grant or, when that is less, {@code bound} (slots given back still
   * count until the node reports them unused). A lease with nothing held or wanted is deleted, and
   * so are the lapsed leases of the queue.
   *
   * @param request the queue, the node, what it wants and may be running, and for how long
   * @return what the node may run now, and the limit it was measured against
   */
  SlotGrant queueSlots(SlotRequest request);

  /**
   * Deletes a node's lease on a queue's slots at once (it stopped, and nothing of the queue runs
   * there any more), so other nodes need not wait for it to lapse.
   *
   * @param queue the queue's name
   * @param node the node
   */
  void queueSlotsRelease(String queue, String node);

  /**
   * Returns running jobs to {@code available} without counting the attempt (a graceful shutdown);
   * guarded by their tokens.
   *
   * @param jobs the jobs and their claim tokens
   * @param now the engine's time: the jobs are due from then
   * @return how many were released
   */
  int jobReleaseMany(List<LeasedJob> jobs, Instant now);

  /**
   * Running jobs whose lease expired by the store's clock, oldest lease first.
   *
   * @param limit how many at most
   * @return the jobs, with their claim tokens
   */
  List<StuckJob> jobGetStuck(int limit);

  /**
   * One job as stored.
   *
   * @param id the job's id
   * @return the job, or empty if there is none
   */
  Optional<Job> jobGet(long id);

  /**
   * One page of jobs, newest first.
   *
   * @param query the filter, page size, cursor and fields
   * @return the page
   */
  JobPage jobList(JobQuery query);

  /**
   * Records that a node can run these kinds, so other nodes may enqueue them.
   *
   * @param kinds the kinds
   * @param now the engine's time, written as when they were last announced
   */
  void kindAnnounce(Collection<String> kinds, Instant now);

  /**
   * Whether any node ever announced this kind.
   *
   * @param kind the kind
   * @return true if it was announced
   */
  boolean kindKnown(String kind);

  /**
   * The claim token of job {@code id} while it runs, with its attempt: what a push endpoint's job
   * token is checked against on any node. Empty when the job does not run.
   *
   * @param id the job's id
   * @return its claim token and attempt, or empty
   */
  Optional<LeasedJob> jobRunningLease(long id);

  /**
   * Stores a schedule. A new one is inserted as given; an existing one is left alone unless {@code
   * replace}, which rewrites its definition (keeping its last tick and pause, un-disabling it; when
   * its timing changed or it was disabled, its last tick moves up to {@code s.lastTick()} so ticks
   * it did not own are not caught up).
   *
   * @param s the schedule
   * @param replace whether an existing one's definition is rewritten
   * @return whether the schedule was written
   */
  boolean scheduleSave(ScheduleRecord s, boolean replace);

  /**
   * Every schedule by name, with its latest job.
   *
   * @return the schedules
   */
  List<ScheduleRecord> scheduleList();

  /**
   * One schedule, with its latest job.
   *
   * @param name the schedule's name
   * @return the schedule, or empty if there is none
   */
  Optional<ScheduleRecord> scheduleGet(String name);

  /**
   * Deletes a schedule; its jobs stay.
   *
   * @param name the schedule's name
   * @return whether there was such a schedule
   */
  boolean scheduleDelete(String name);

  /**
   * Pauses or resumes a schedule. Resuming moves its last tick up to {@code now}: ticks while it
   * was paused are skipped, not caught up.
   *
   * @param name the schedule's name
   * @param paused true to pause, false to resume
   * @param now the engine's time
   * @return whether there was such a schedule
   */
  boolean schedulePause(String name, boolean paused, Instant now);

  /**
   * Disables the schedules declared in code whose names are not in {@code declared}; returns how
   * many.
   *
   * @param declared the names the starting node's code declares
   * @return how many were disabled
   */
  int scheduleDisableUndeclared(Collection<String> declared);

  /**
   * Fires a schedule up to {@code tick} in one transaction: {@code UPDATE ... SET last_tick = tick
   * WHERE name = ? AND last_tick < tick} (and not paused or disabled), and only if that changed the
   * row, inserts {@code jobs}. This is what makes a tick enqueue one job with any number of nodes.
   *
   * @param name the schedule's name
   * @param tick the newest due tick, its new last tick
   * @param jobs the jobs of the due ticks
   * @return the inserted ids, or empty when another node fired the tick first (or the schedule is
   *     gone, paused or disabled)
   */
  Optional<List<Long>> scheduleFire(String name, Instant tick, List<JobInsert> jobs);

  /**
   * Inserts a workflow, its steps' jobs and their dependencies in one transaction, and wakes the
   * queues of the steps that can run now.
   *
   * @param workflow the workflow and its steps
   * @return the workflow's id
   */
  long workflowInsert(WorkflowInsert workflow);

  /**
   * A workflow with its steps.
   *
   * @param id the workflow's id
   * @return the workflow, or empty if there is none
   */
  Optional<WorkflowRecord> workflowGet(long id);

  /**
   * Adds steps to the workflow of the running job {@code parentJobId}, in one transaction that
   * holds the parent's row: each is named {@code <parent's step>/<name>}; a step of that name that
   * exists already is kept as it is (a retried parent adds each step once). Every waiting step of
   * the workflow that waits for a group the new step belongs to ({@code "sync/*"} holds {@code
   * sync/page-3} and {@code sync/page-3/part-1}) gets a dependency on it in the same transaction. A
   * new step with dependencies starts {@code waiting} and is released, or cancelled, at once if
   * they have already ended.
   *
   * @param parentJobId the running step that adds them
   * @param now the engine's time
   * @param steps the steps to add
   * @return the steps' job ids, in order
   * @throws IllegalStateException if the parent is not a running workflow step, or its workflow was
   *     cancelled; nothing is written
   * @throws IllegalArgumentException if a step waits for a missing step or for a step that waits
   *     for it; nothing is written
   */
  List<Long> workflowAddSteps(long parentJobId, Instant now, List<WorkflowInsert.Added> steps);

  /**
   * What the step named {@code step} of the workflow of job {@code jobId} returned, as JSON; empty
   * when there is no such step or it returned nothing.
   *
   * @param jobId a step of the workflow
   * @param step the name of the step whose result to read
   * @return the result as JSON, or empty
   */
  Optional<String> workflowStepResult(long jobId, String step);

  /**
   * Cancels a workflow: marks it cancelled by a user, cancels its pending and waiting steps at
   * once, and asks the nodes running its running steps to stop them ({@link Notifier#CANCEL}).
   *
   * @param id the workflow's id
   * @param now the engine's time
   * @return false if there is no such workflow
   */
  boolean workflowCancel(long id, Instant now);

  /**
   * Runs a workflow's dead and cancelled steps again with fresh attempts: each becomes available,
   * or waiting while a dependency has not succeeded; succeeded steps stay as they are.
   *
   * @param id the workflow's id
   * @param now the engine's time
   * @return false if there is no such workflow
   */
  boolean workflowRetry(long id, Instant now);

  /**
   * Tries to become (or stay) the leader among the nodes of this store for {@code ttl}.
   *
   * @param node this node's name
   * @param ttl how long the leadership holds unless renewed
   * @param now the engine's time
   * @return whether {@code node} is the leader now
   */
  boolean leaderAttemptElect(String node, Duration ttl, Instant now);

  /**
   * Gives up leadership if {@code node} holds it.
   *
   * @param node this node's name
   */
  void leaderResign(String node);

  /** {@return the wake-up channel of this store} */
  Notifier notifier();

  /**
   * {@return whether {@link #notifier()} reaches other processes (PostgreSQL), not only this JVM}
   */
  boolean supportsListenNotify();

  /** {@return a short description for logs and errors, without passwords} */
  String describe();

  @Override
  void close();

  /**
   * Claim up to {@code limit} runnable jobs of {@code queue} whose kind is in {@code kinds},
   * ordered by priority, run_at, id; mark them running under {@code node} with {@code token},
   * leased for {@code lease}. Nothing is claimed from a paused queue.
   *
   * <p>{@code flow} is the engine's recent copy of the queue's options and only picks the path:
   * when it is {@link QueueOptions#claimedUnderLock()}, the store claims under a lock for the
   * queue, reads the options afresh in that transaction and claims only what they allow; otherwise
   * it claims lock-free and takes nothing from a queue whose stored options need the lock. A queue
   * limit ({@code maxRunning}) is not the claim's to enforce: the engine runs no more than the
   * slots it leases ({@link #queueSlots}) and sizes its claims by them, and the lock-free claim
   * takes nothing from a queue with a limit unless {@code flow} has one too (the claiming node
   * knows to lease its slots). Per-key slots and rates are measured on the store's clock, as leases
   * are.
   *
   * @param queue the queue to claim from
   * @param kinds the kinds this node can run ({@link #ANY_KIND} for every kind)
   * @param limit how many jobs at most; positive
   * @param node the claiming node's name
   * @param token the claim token the jobs are held under
   * @param now the engine's time: jobs with {@code run_at <= now} are due; written as started_at
   * @param lease how long the claim holds without a heartbeat, counted on the store's clock (see
   *     {@link Store}), not on {@code now}
   * @param flow the engine's copy of the queue's flow-control options
   */
  public record ClaimParams(
      String queue,
      List<String> kinds,
      int limit,
      String node,
      long token,
      Instant now,
      Duration lease,
      QueueOptions flow) {
    /**
     * In {@code kinds}, every kind: a push queue's claim (its jobs all go to its endpoint). Kind
     * names cannot contain {@code *}.
     */
    public static final String ANY_KIND = "*";

    /** Copies the kinds and checks the limit. */
    public ClaimParams {
      kinds = List.copyOf(kinds);
      Objects.requireNonNull(flow, "flow");
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be positive, got " + limit);
      }
    }
  }

  /**
   * A job a claim returned: what the engine needs to run one attempt of it, including what earlier
   * attempts left (checkpoint, failed items), the item keys of a follow-up job, and the headers its
   * enqueue stored ({@link JobInsert#headersJson()}).
   *
   * @param id the job's id
   * @param kind its kind
   * @param queue its queue
   * @param argsJson its args as JSON
   * @param attempt the number of this attempt, from 1
   * @param maxAttempts how many attempts it may use
   * @param priority its priority
   * @param checkpointJson the last checkpoint as JSON, or null
   * @param failedItemsJson the items failed so far as JSON, or null
   * @param retryItemsJson the item keys a follow-up job retries, as JSON, or null
   * @param token the claim token it is held under
   * @param runAt when it was due
   * @param headersJson the headers its enqueue stored, as JSON, or null
   */
  public record ClaimedJob(
      long id,
      String kind,
      String queue,
      String argsJson,
      int attempt,
      int maxAttempts,
      int priority,
      String checkpointJson,
      String failedItemsJson,
      String retryItemsJson,
      long token,
      java.time.Instant runAt,
      String headersJson) {}

  /**
   * The end of one attempt: written only when the job is still running under {@code token} (and,
   * for a rescue, only when its lease expired before {@code leaseExpiredBefore}).
   *
   * @param id the job
   * @param token the claim token of the attempt
   * @param state succeeded, retrying, dead or cancelled
   * @param at when the attempt ended; becomes finished_at for a final state
   * @param runAt when a retrying job may run again; null otherwise
   * @param resultJson the result, or null
   * @param errorJson a {@code JobError} as JSON to append to the job's errors, or null
   * @param leaseExpiredBefore for the rescuer: write only if the lease expired before this instant
   *     of the store's clock ({@link StuckJob#checkedAt()}); else null
   * @param progressJson the attempt's last progress, or null to keep what is stored
   * @param failedItemsJson the items that failed so far, or null to keep what is stored
   * @param refundAttempt give the attempt back (a snooze): the next claim reuses its number
   * @param startedAt when the attempt's handler started, written when its start was not written yet
   *     (a short job ends before its start is); null for none (a rescue)
   *     <p>A job whose cancellation was requested ends {@code cancelled} whatever the attempt's
   *     outcome unless it succeeded: the store applies that, since the request may come from any
   *     node.
   */
  public record Completion(
      long id,
      long token,
      JobState state,
      Instant at,
      Instant runAt,
      String resultJson,
      String errorJson,
      Instant leaseExpiredBefore,
      String progressJson,
      String failedItemsJson,
      boolean refundAttempt,
      Instant startedAt) {
    /** Checks the state. */
    public Completion {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(at, "at");
      if (state == JobState.RETRYING) {
        Objects.requireNonNull(runAt, "runAt of a retrying job");
      } else if (!state.isFinal()) {
        throw new IllegalArgumentException(
            "an attempt ends succeeded, retrying, dead or cancelled, not " + state);
      }
    }

    /**
     * This end, with the time its handler started.
     *
     * @param handlerStarted when the handler began
     * @return a copy with the start time
     */
    public Completion startedAt(Instant handlerStarted) {
      return new Completion(
          id,
          token,
          state,
          at,
          runAt,
          resultJson,
          errorJson,
          leaseExpiredBefore,
          progressJson,
          failedItemsJson,
          refundAttempt,
          handlerStarted);
    }
  }

  /**
   * What one heartbeat did.
   *
   * @param renewed the presented leases the store extended: their job is still running under that
   *     claim token and held by that node. A presented lease missing here is lost (its job was
   *     rescued, released or ended, and may run elsewhere), so the node stops that attempt.
   * @param cancelRequested the ids among the renewed whose cancellation was requested, so a missed
   *     notification still stops them within a heartbeat
   */
  public record Heartbeat(List<LeasedJob> renewed, List<Long> cancelRequested) {
    /** Copies the lists. */
    public Heartbeat {
      renewed = List.copyOf(renewed);
      cancelRequested = List.copyOf(cancelRequested);
    }

    /** {@return the answer to a heartbeat that presented no lease} */
    public static Heartbeat none() {
      return new Heartbeat(List.of(), List.of());
    }
  }

  /**
   * What became of one {@link JobInsert}.
   *
   * @param id the new job's id, or the id of the stored job it duplicates
   * @param duplicate whether a stored job with the same unique key (or idempotency key) took its
   *     place, so nothing new was inserted
   */
  public record InsertResult(long id, boolean duplicate) {
    /** The ids of {@code results}, in order. */
    static List<Long> ids(List<InsertResult> results) {
      List<Long> ids = new ArrayList<>(results.size());
      for (InsertResult r : results) {
        ids.add(r.id());
      }
      return ids;
    }
  }

  /**
   * The one definition of which states each action on a job may start from. The façade ({@code
   * Offload}) refuses an action from any other state, and both stores take their SQL's state
   * conditions from here ({@link #sqlStates()}), so the three cannot drift apart.
   *
   * <pre>
   * action   from                                   to
   * cancel   waiting, scheduled, available, retrying cancelled (a workflow's dependents per their policy)
   *          running                                running, asked to stop; its node ends it cancelled
   * retry    dead, cancelled                        available, with fresh attempts
   *          retrying, scheduled                    available, now
   * replay   dead, cancelled                        available, with fresh attempts (many at once)
   * delete   any state but running                  gone
   * purge    succeeded, dead, cancelled             gone (many at once)
   * rescue   running, with an expired lease         retrying or dead (the engine decides which)
   * </pre>
   */
  public enum JobAction {
    /** Cancel one job. */
    CANCEL("cancelled", SCHEDULED, AVAILABLE, RETRYING, WAITING, RUNNING),
    /** Run one job again. */
    RETRY("retried", DEAD, CANCELLED, RETRYING, SCHEDULED),
    /** Run many ended jobs again. */
    REPLAY("replayed", DEAD, CANCELLED),
    /** Delete one job. */
    DELETE("deleted", WAITING, SCHEDULED, AVAILABLE, RETRYING, SUCCEEDED, DEAD, CANCELLED),
    /** Delete many finished jobs. */
    PURGE("purged", SUCCEEDED, DEAD, CANCELLED),
    /** End the attempt of a job whose worker was lost. */
    RESCUE("rescued", RUNNING);

    private final String done;

    // In the order written above: messages list the states that way.
    private final Set<JobState> from;

    JobAction(String done, JobState... from) {
      this.done = done;
      this.from = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(from)));
    }

    /** {@return the states this action may start from} */
    public Set<JobState> from() {
      return from;
    }

    /**
     * Whether this action may start from {@code state}.
     *
     * @param state a job's state
     * @return true when the action may start from it
     */
    public boolean allows(JobState state) {
      return from.contains(state);
    }

    /**
     * The states this action may start from as a SQL list of string literals, e.g. {@code 'dead',
     * 'cancelled'}, for {@code state IN (...)}. Literals (not a bound array) keep the conditions
     * visible to the planner, so partial indexes on a state still match.
     *
     * @return the list, such as {@code 'dead', 'cancelled'}
     */
    public String sqlStates() {
      return from.stream().map(s -> "'" + s.wireName() + "'").collect(Collectors.joining(", "));
    }

    /** {@return the states as words for messages, e.g. {@code dead or cancelled}} */
    public String describeFrom() {
      String[] names = from.stream().map(JobState::wireName).toArray(String[]::new);
      if (names.length == 1) {
        return names[0];
      }
      return String.join(", ", Arrays.copyOf(names, names.length - 1))
          + " or "
          + names[names.length - 1];
    }

    /** {@return the action's past participle in messages, e.g. {@code retried}} */
    public String done() {
      return done;
    }

    /** {@return the action's name in messages, e.g. {@code cancel}} */
    public String verb() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A job to insert; validated by the engine before it reaches a store. A follow-up job for failed
   * items names its parent and the item keys to retry. A job with an idempotency key that a stored
   * job already has is not inserted: when the stored job has the same kind and equal args ({@link
   * #requireSameRequest}), the store returns its id in place; otherwise the store writes nothing of
   * the batch and throws {@link IdempotencyKeyConflictException}. The keys within one batch are
   * distinct (the engine folds repeats together before the store sees them). A job made by a
   * schedule names it, its {@code runAt} being the tick.
   *
   * <p>A job with a {@code uniqueKey} is not inserted while a job with that key is scheduled,
   * available, running or retrying, nor when one finished after {@code uniqueFinishedAfter} (when
   * set); the store returns that job's id instead, and with {@code replaceDuplicate} first gives a
   * duplicate that has not started yet this job's args, run time and priority (debounce). The
   * {@code concurrencyKey} groups jobs for a queue's per-key limit and rate. {@code headersJson} is
   * a JSON object of strings stored with the job for the code that runs it (the W3C trace context
   * of the enqueuing request), handed back in {@link ClaimedJob#headersJson()}; usually null.
   *
   * @param kind the job's kind
   * @param queue its queue
   * @param priority its priority
   * @param argsJson its args as JSON
   * @param maxAttempts how many attempts it may use
   * @param state scheduled (due later) or available; waiting for a workflow step
   * @param runAt when it is due
   * @param createdAt when it was enqueued (the engine's clock)
   * @param parentId the job whose failed items it retries, or null
   * @param retryItemsJson the item keys it retries, as JSON, or null
   * @param idempotencyKey its idempotency key, or null
   * @param schedule the schedule that made it, or null
   * @param concurrencyKey its concurrency key, or null
   * @param uniqueKey its unique key, or null
   * @param uniqueFinishedAfter a finished job with the unique key counts if it finished after this,
   *     or null
   * @param replaceDuplicate whether a pending duplicate takes this job's args, run time and
   *     priority
   * @param headersJson headers for the code that runs it, as a JSON object of strings, or null
   */
  public record JobInsert(
      String kind,
      String queue,
      int priority,
      String argsJson,
      int maxAttempts,
      JobState state,
      Instant runAt,
      Instant createdAt,
      Long parentId,
      String retryItemsJson,
      String idempotencyKey,
      String schedule,
      String concurrencyKey,
      String uniqueKey,
      Instant uniqueFinishedAfter,
      boolean replaceDuplicate,
      String headersJson) {
    /** Checks the required fields. */
    public JobInsert {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(queue, "queue");
      Objects.requireNonNull(argsJson, "argsJson");
      Objects.requireNonNull(runAt, "runAt");
      Objects.requireNonNull(createdAt, "createdAt");
      if (state != JobState.AVAILABLE && state != JobState.SCHEDULED) {
        throw new IllegalArgumentException("a new job is available or scheduled, not " + state);
      }
    }

    /**
     * This job with its headers.
     *
     * @param headersJson a JSON object of strings, or null
     * @return a copy with the headers
     */
    public JobInsert withHeaders(String headersJson) {
      return new JobInsert(
          kind,
          queue,
          priority,
          argsJson,
          maxAttempts,
          state,
          runAt,
          createdAt,
          parentId,
          retryItemsJson,
          idempotencyKey,
          schedule,
          concurrencyKey,
          uniqueKey,
          uniqueFinishedAfter,
          replaceDuplicate,
          headersJson);
    }

    /**
     * Checks that the job stored under this job's idempotency key is the same request: same kind,
     * equal args (as JSON values: key order, spacing and number spelling do not matter).
     *
     * @param storedId the stored job's id
     * @param storedKind its kind
     * @param storedArgsJson its args as JSON
     * @throws IdempotencyKeyConflictException naming the key when it is not
     */
    public void requireSameRequest(long storedId, String storedKind, String storedArgsJson) {
      if (!kind.equals(storedKind)) {
        throw new IdempotencyKeyConflictException(
            idempotencyKey,
            "job "
                + storedId
                + " is of kind '"
                + storedKind
                + "', this request is of kind '"
                + kind
                + "'");
      }
      if (!sameJson(argsJson, storedArgsJson)) {
        throw new IdempotencyKeyConflictException(
            idempotencyKey, "job " + storedId + " of kind '" + kind + "' has other args");
      }
    }

    /**
     * Whether two JSON texts hold the same value; numbers compare by value (1, 1.0 and 1e0 are
     * equal).
     *
     * @param a a JSON text
     * @param b another
     * @return true when they hold the same value
     */
    public static boolean sameJson(String a, String b) {
      if (a.equals(b)) {
        return true;
      }
      JsonNode x = Json.tree(a);
      JsonNode y = Json.tree(b);
      return x != null && y != null && x.equals(SAME_VALUE, y);
    }

    private static final Comparator<JsonNode> SAME_VALUE =
        (x, y) -> {
          if (x.isNumber() && y.isNumber()) {
            return x.decimalValue().compareTo(y.decimalValue());
          }
          return x.equals(y) ? 0 : 1;
        };
  }

  /**
   * The handler of a claimed job started: written only while {@code token} holds the job and its
   * start is not written yet. A job claimed ahead of a free slot has no start until then.
   *
   * @param id the job
   * @param token the claim token of the attempt
   * @param at when the handler started (the engine's clock); the job's started_at, and its first
   *     start when it had none
   */
  public record JobStart(long id, long token, Instant at) {
    /** Checks the time. */
    public JobStart {
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * A running job named by its id and the claim token of its attempt.
   *
   * @param id the job's id
   * @param token the claim token of its attempt
   */
  public record LeasedJob(long id, long token) {}

  /**
   * Wake-ups between nodes: {@code PgNotifier} uses LISTEN/NOTIFY, across processes; an in-process
   * notifier reaches only this JVM. Delivery is best effort: the engine still polls.
   */
  public interface Notifier extends AutoCloseable {
    /** Topic whose payload is a queue name that has new runnable jobs. */
    String INSERT = "insert";

    /**
     * Topic whose payload is a comma-separated list of job ids whose progress or state changed;
     * watchers re-read those jobs.
     */
    String JOB = "job";

    /** Topic whose payload is the id of a running job whose cancellation was requested. */
    String CANCEL = "cancel";

    /** {@return a notifier that reaches only this JVM (SQLite, tests)} */
    static Notifier inProcess() {
      return new LocalNotifier();
    }

    /**
     * Calls {@code listener} with each payload published on {@code topic}, on a notifier thread.
     *
     * @param topic the topic, such as {@link #INSERT}
     * @param listener called with each payload
     * @return closes the subscription
     */
    AutoCloseable subscribe(String topic, Consumer<String> listener);

    /**
     * Whether wake-ups from other nodes can arrive now: false while a notifier that listens on a
     * connection has lost it. An in-process notifier is always connected.
     *
     * @return true while wake-ups can arrive
     */
    default boolean connected() {
      return true;
    }

    /**
     * Publishes outside any transaction.
     *
     * @param topic the topic, such as {@link #INSERT}
     * @param payload the payload
     */
    void publish(String topic, String payload);

    @Override
    void close();
  }

  /**
   * The latest progress of a running attempt, written only while {@code token} still holds the job.
   *
   * @param id the job's id
   * @param token the claim token of the attempt
   * @param progressJson the progress as JSON
   */
  public record ProgressUpdate(long id, long token, String progressJson) {}

  /**
   * A queue's row in the store: its flow-control options and whether it is paused.
   *
   * @param name the queue's name
   * @param options its flow-control options
   * @param paused whether claiming from it is paused
   * @param configured whether options were ever written for it (by an operator or a node's
   *     defaults); a queue that was only paused has none, so code-declared defaults may still apply
   */
  public record QueueSettings(
      String name, QueueOptions options, boolean paused, boolean configured) {
    /** Checks the name and options. */
    public QueueSettings {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(options, "options");
    }

    /**
     * The settings of a row as both stores keep them: numbers or nulls, periods in milliseconds.
     *
     * @param name the queue's name
     * @param paused whether claiming is paused
     * @param configured whether options were ever written
     * @param maxRunning the queue's limit, or null
     * @param perKey the per-key limit, or null
     * @param rateCount starts per period, or null
     * @param ratePeriodMs the rate's period in milliseconds, or null
     * @param ratePerKey whether the rate applies per key
     * @param fair whether claims interleave keys
     * @param agingMs the aging period in milliseconds, or null
     * @return the settings
     */
    public static QueueSettings fromColumns(
        String name,
        boolean paused,
        boolean configured,
        Integer maxRunning,
        Integer perKey,
        Integer rateCount,
        Long ratePeriodMs,
        boolean ratePerKey,
        boolean fair,
        Long agingMs) {
      Rate rate =
          rateCount == null || ratePeriodMs == null
              ? null
              : new Rate(rateCount, Duration.ofMillis(ratePeriodMs));
      QueueOptions options =
          new QueueOptions(
              maxRunning,
              perKey,
              rate,
              rate != null && ratePerKey,
              fair,
              agingMs == null ? null : Duration.ofMillis(agingMs),
              null);
      return new QueueSettings(name, options, paused, configured);
    }

    /**
     * These settings with a row's push columns: the endpoint's URL (null for a pull queue), its
     * timeout in milliseconds, the name of the secret's environment variable, and allow-http.
     *
     * @param pushUrl the push endpoint's URL, or null for a pull queue
     * @param pushTimeoutMs its timeout in milliseconds, or null for the default
     * @param pushSecretEnv the environment variable of its secret, or null
     * @param pushAllowHttp whether plain http is allowed
     * @return a copy with that binding
     */
    public QueueSettings withPush(
        String pushUrl, Long pushTimeoutMs, String pushSecretEnv, boolean pushAllowHttp) {
      return new QueueSettings(
          name,
          options.push(push(pushUrl, pushTimeoutMs, pushSecretEnv, pushAllowHttp)),
          paused,
          configured);
    }

    private static QueueOptions.Push push(
        String url, Long timeoutMs, String secretEnv, boolean allowHttp) {
      if (url == null) {
        return null;
      }
      return new QueueOptions.Push(
          java.net.URI.create(url),
          timeoutMs == null ? QueueOptions.Push.DEFAULT_TIMEOUT : Duration.ofMillis(timeoutMs),
          secretEnv,
          allowHttp);
    }
  }

  /**
   * The database refused the data of a write (a value it cannot hold, a limit exceeded), as opposed
   * to an outage: the same write fails again however often it is retried. The message says what was
   * refused, without SQL or connection details. The engine splits a refused batch to write the rest
   * and ends the job whose data was refused with an error of its own.
   */
  public static class RejectedWriteException extends OffloadException {
    /**
     * A refused write.
     *
     * @param message what was refused, without SQL or connection details
     * @param cause the driver's exception
     */
    public RejectedWriteException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * A stored schedule: its definition, its state, and the last tick fired (or, for a new schedule,
   * the moment it was added: its first tick is the first one after that).
   *
   * @param name its name
   * @param kind the kind of the jobs it makes
   * @param argsJson their args as JSON
   * @param queue their queue
   * @param priority their priority
   * @param maxAttempts their attempts
   * @param cron the cron expression, or null for an interval
   * @param zone the zone id the cron expression reads
   * @param everyMillis the interval in milliseconds, or null for a cron schedule
   * @param catchUp {@code none}, {@code latest} or {@code all}
   * @param paused whether an operator paused it
   * @param declared whether application code declared it (and so may disable it when it no longer
   *     does)
   * @param disabled set when code that declared it no longer does; it does not fire
   * @param lastTick the latest tick fired, or when it was added
   * @param lastJobId the latest job it made, or null (read only)
   * @param lastJobState that job's state, or null (read only)
   */
  public record ScheduleRecord(
      String name,
      String kind,
      String argsJson,
      String queue,
      int priority,
      int maxAttempts,
      String cron,
      String zone,
      Long everyMillis,
      String catchUp,
      boolean paused,
      boolean declared,
      boolean disabled,
      Instant lastTick,
      Long lastJobId,
      String lastJobState) {
    /** Checks the required fields. */
    public ScheduleRecord {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(argsJson, "argsJson");
      Objects.requireNonNull(queue, "queue");
      Objects.requireNonNull(zone, "zone");
      Objects.requireNonNull(catchUp, "catchUp");
      Objects.requireNonNull(lastTick, "lastTick");
      if ((cron == null) == (everyMillis == null)) {
        throw new IllegalArgumentException(
            "a schedule has a cron expression or an interval, not both or neither");
      }
    }
  }

  /**
   * Where a store's database stands against the migrations this code ships: {@code current} is the
   * newest migration applied (0 for a database without Offload's schema), {@code latest} the newest
   * one this code knows.
   *
   * @param current the newest migration applied
   * @param latest the newest migration this code knows
   */
  public record SchemaVersion(int current, int latest) {
    /** Checks that the numbers are not negative. */
    public SchemaVersion {
      if (current < 0 || latest < 1) {
        throw new IllegalArgumentException(
            "schema versions must be current >= 0 and latest >= 1, got "
                + current
                + " and "
                + latest);
      }
    }

    /** {@return whether the database has every migration this code knows, and no newer one} */
    public boolean upToDate() {
      return current == latest;
    }
  }

  /**
   * A running job whose lease expired: its worker is gone or cut off.
   *
   * @param id the job's id
   * @param kind its kind
   * @param attempt the number of the lost attempt
   * @param maxAttempts how many attempts it may use
   * @param token the claim token of the lost attempt
   * @param node the node that held it
   * @param checkedAt when the store found the lease expired, on the store's clock: a rescue passes
   *     it as {@link Completion#leaseExpiredBefore()}, so a lease renewed since is not taken away
   */
  public record StuckJob(
      long id,
      String kind,
      int attempt,
      int maxAttempts,
      long token,
      String node,
      Instant checkedAt) {}

  /**
   * A workflow to insert in one transaction: its row, one job per step, and the dependencies. A
   * step with dependencies is stored {@code waiting}; one without is stored in its job's state.
   *
   * @param name the workflow's name
   * @param createdAt when it was enqueued
   * @param steps in an order where every step comes after the steps it depends on
   * @param batch whether it is a batch: its steps with dependencies (the {@code onComplete} and
   *     {@code onSuccess} callbacks) get the batch's counts in their args when they are released
   */
  public record WorkflowInsert(String name, Instant createdAt, List<Step> steps, boolean batch) {
    /** Copies the steps. */
    public WorkflowInsert {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(createdAt, "createdAt");
      steps = List.copyOf(steps);
    }

    /**
     * One step.
     *
     * @param name its name, unique in the workflow
     * @param job its job
     * @param after the positions in {@link #steps} of the steps it waits for (all before it)
     * @param onFailure {@code cancel} or {@code continue}
     * @param groups the names of steps whose added steps ({@code "sync/*"}: every step added under
     *     {@code sync}, now or later) it also waits for; each is in {@code after} too
     */
    public record Step(
        String name, JobInsert job, List<Integer> after, String onFailure, List<String> groups) {
      /** Copies the lists. */
      public Step {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(job, "job");
        after = List.copyOf(after);
        Objects.requireNonNull(onFailure, "onFailure");
        groups = List.copyOf(groups);
      }
    }

    /**
     * A step that a running step adds to its own workflow ({@link Store#workflowAddSteps}).
     *
     * @param name its name under the adding step: {@code page-3} added by {@code sync} is {@code
     *     sync/page-3}
     * @param after the full names of existing steps it waits for
     * @param job its job
     * @param groups the full names of steps whose added steps it also waits for
     * @param onFailure {@code cancel} or {@code continue}
     */
    public record Added(
        String name, JobInsert job, List<String> after, List<String> groups, String onFailure) {
      /** Copies the lists. */
      public Added {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(job, "job");
        after = List.copyOf(after);
        groups = List.copyOf(groups);
        Objects.requireNonNull(onFailure, "onFailure");
      }
    }
  }

  /**
   * A stored workflow and its steps, in insertion order.
   *
   * @param id its id
   * @param name its name
   * @param createdAt when it was enqueued
   * @param cancelledAt when a user cancelled it, or null
   * @param steps its steps
   */
  public record WorkflowRecord(
      long id, String name, Instant createdAt, Instant cancelledAt, List<Step> steps) {
    /** Copies the steps. */
    public WorkflowRecord {
      steps = List.copyOf(steps);
    }

    /**
     * A step: its job's id, state and times, and the names of the steps it waits for.
     *
     * @param jobId its job's id
     * @param name its name
     * @param kind its job's kind
     * @param state its job's state
     * @param after the names of the steps it waits for
     * @param onFailure {@code cancel} or {@code continue}
     * @param startedAt when its job's latest attempt started, or null
     * @param finishedAt when its job ended, or null
     * @param progressJson its job's latest progress as JSON, or null
     */
    public record Step(
        long jobId,
        String name,
        String kind,
        JobState state,
        List<String> after,
        String onFailure,
        Instant startedAt,
        Instant finishedAt,
        String progressJson) {
      /** Copies the dependencies. */
      public Step {
        after = List.copyOf(after);
      }
    }
  }

  /**
   * The arithmetic of a rate limit as a generic cell rate algorithm, shared by the stores: one
   * "theoretical arrival time" (TAT, epoch microseconds) per queue and key, read and advanced in
   * the claim's transaction. A start at {@code now} conforms while {@code max(tat, now) <= now +
   * tolerance}; each start moves the TAT one interval ({@code period / count}) on.
   *
   * <p>The tolerance is one interval (or 20 ms when the interval is shorter, so a fast rate can be
   * met with claims of several jobs): starts are spread evenly, and any window of one period holds
   * at most the rate plus what the tolerance lets through at its edge (one start for rates up to
   * 50/s).
   */
  public static final class Gcra {
    private static final long MIN_TOLERANCE_MICROS = 20_000;

    private Gcra() {}

    /**
     * The time between two starts.
     *
     * @param rate the rate
     * @return {@code period / count} in microseconds, at least 1
     */
    public static long intervalMicros(Rate rate) {
      return Math.max(1, rate.period().toNanos() / 1_000 / rate.count());
    }

    /**
     * How far ahead of now the TAT may be and a start still conform.
     *
     * @param rate the rate
     * @return one interval, or 20 ms when the interval is shorter (at most the period)
     */
    public static long toleranceMicros(Rate rate) {
      return Math.max(
          intervalMicros(rate), Math.min(MIN_TOLERANCE_MICROS, rate.period().toNanos() / 1_000));
    }

    /**
     * An instant in epoch microseconds.
     *
     * @param t the instant
     * @return microseconds since the epoch
     */
    public static long micros(Instant t) {
      return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
    }

    /**
     * How many starts conform now.
     *
     * @param tatMicros the stored TAT, or null when there is none yet
     * @param nowMicros now, on the store's clock
     * @param rate the rate
     * @return how many jobs may start now
     */
    public static long allowed(@Nullable Long tatMicros, long nowMicros, Rate rate) {
      long tat = tatMicros == null ? nowMicros : Math.max(tatMicros, nowMicros);
      long edge = nowMicros + toleranceMicros(rate);
      return tat > edge ? 0 : (edge - tat) / intervalMicros(rate) + 1;
    }
  }

  /**
   * What a queue's flow control holds back now, as a store counts it from the rows: what runs with
   * a live lease (on the store's clock, as claims count it), the due jobs and why they cannot
   * start, and the rates' theoretical arrival times. The store only counts; the engine reads the
   * reasons from these facts ({@code waiting: ...} on a job, the queue gauges). Read without a
   * lock: a snapshot that may be a claim behind.
   *
   * @param running jobs of the queue running with a live lease: the slots of its per-key limit in
   *     use
   * @param keysAtLimit concurrency keys whose running jobs fill the per-key limit (0 without one)
   * @param due pending jobs (scheduled, available, retrying) whose run time has come
   * @param dueOfKeysAtLimit due jobs whose key is at the per-key limit
   * @param dueOfKeysOutOfRate with a rate per key, due jobs whose key's rate allows no start now
   *     (those of keys at their limit not counted again)
   * @param queueRateTatMicros the theoretical arrival time of the queue's rate (key {@code ''}: the
   *     whole queue, or the jobs without a key under a rate per key), or null when none yet
   * @param keyRunning jobs of the asked key running with a live lease (0 when no key was asked)
   * @param keyRateTatMicros the asked key's theoretical arrival time, or null
   * @param nowMicros the store's clock, which rates and leases are measured on (epoch microseconds)
   * @param slotsHeld slots of the queue limit that nodes' live leases hold ({@link #queueSlots}):
   *     what {@code maxRunning} counts
   */
  public record QueueFlow(
      long running,
      long keysAtLimit,
      long due,
      long dueOfKeysAtLimit,
      long dueOfKeysOutOfRate,
      @Nullable Long queueRateTatMicros,
      long keyRunning,
      @Nullable Long keyRateTatMicros,
      long nowMicros,
      long slotsHeld) {}

  /**
   * A node asking for its slots of a queue limit ({@link #queueSlots}).
   *
   * @param queue the queue's name
   * @param node the node asking
   * @param wanted how many jobs of the queue the node could run now: its threads for the queue
   *     while it has work, what it runs when it has none
   * @param bound the most jobs of the queue the node may be running until the answer arrives (what
   *     it was allowed, or runs, whichever is more)
   * @param lease how long the slots stay held without asking again
   */
  public record SlotRequest(String queue, String node, int wanted, int bound, Duration lease) {
    /** Checks the counts. */
    public SlotRequest {
      if (wanted < 0 || bound < 0) {
        throw new IllegalArgumentException("wanted and bound must be at least 0");
      }
    }
  }

  /**
   * What {@link #queueSlots} granted.
   *
   * @param allowed how many jobs of the queue the node may be running at once until its lease
   *     lapses
   * @param maxRunning the queue limit it was measured against, or null when the queue has none (the
   *     node runs it by its own concurrency, and holds no lease)
   */
  public record SlotGrant(int allowed, @Nullable Integer maxRunning) {}
}
