package dev.offload.store;

import dev.offload.Job;
import dev.offload.JobFilter;
import dev.offload.JobPage;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.KindStats;
import dev.offload.QueueOptions;
import dev.offload.QueueStats;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

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
   */
  SchemaVersion schemaVersion();

  /**
   * Inserts jobs, all or none, and wakes the workers of their queues; results in input order (see
   * {@link JobInsert} for unique and idempotency keys). Jobs without a unique key go in one round
   * trip. Completions, progress and checkpoint writes notify {@link Notifier#JOB} with the ids they
   * changed.
   */
  List<InsertResult> jobInsertManyResults(List<JobInsert> jobs);

  /**
   * Inserts jobs on the caller's connection without committing: they exist only if the caller's
   * transaction commits.
   */
  List<InsertResult> jobInsertManyResults(Connection tx, List<JobInsert> jobs);

  /** {@link #jobInsertManyResults(List)}, the ids only. */
  default List<Long> jobInsertMany(List<JobInsert> jobs) {
    return jobInsertManyResults(jobs).stream().map(InsertResult::id).toList();
  }

  /** {@link #jobInsertManyResults(Connection, List)}, the ids only. */
  default List<Long> jobInsertMany(Connection tx, List<JobInsert> jobs) {
    return jobInsertManyResults(tx, jobs).stream().map(InsertResult::id).toList();
  }

  /**
   * A new connection to the store's database, for a transaction the caller owns (for instance many
   * {@link #jobInsertMany(Connection, List)} calls that commit or roll back together). The caller
   * closes it.
   */
  Connection connectionOpen();

  /** Claims runnable jobs in one statement; see {@link ClaimParams}. */
  List<ClaimedJob> jobClaim(ClaimParams params);

  /**
   * Ends attempts in one transaction. A completion whose token no longer matches a running job is
   * ignored. A workflow step that ends releases its waiting dependents in the same transaction: a
   * dependent whose dependencies all succeeded becomes available (an {@code onFailure=continue} one
   * once they all ended); one whose dependency ended dead or cancelled is cancelled, and so on down
   * the graph.
   *
   * @return the ids that were written
   */
  List<Long> jobCompleteMany(List<Completion> completions);

  /**
   * Writes the progress of running attempts in one statement and notifies {@link Notifier#JOB};
   * updates whose token no longer holds the job are ignored.
   *
   * @return the ids that were written
   */
  List<Long> jobProgressMany(List<ProgressUpdate> updates);

  /**
   * Writes when the handlers of claimed jobs started, in one statement: started_at, and the first
   * start and its due time (run_at) when the job had none. A job claimed but not started yet (held
   * ahead of a free slot) has no started_at. Starts whose token no longer holds the job, or that
   * are written already, are ignored.
   *
   * @return the ids that were written
   */
  List<Long> jobStartMany(List<JobStart> starts);

  /**
   * Durably stores a running attempt's checkpoint and the items that failed so far.
   *
   * @return false when {@code token} no longer holds the job (its lease was lost)
   */
  boolean jobCheckpoint(long id, long token, String checkpointJson, String failedItemsJson);

  /**
   * Run-time figures of the kinds that succeeded since {@code since} (the last 1,000 runs of each
   * at most); {@code budgetMs} goes into each {@link KindStats}'s advice.
   */
  List<KindStats> kindStats(Instant since, long budgetMs);

  /** The stored progress of the latest succeeded jobs of {@code kind}, newest first. */
  List<String> jobRecentProgress(String kind, int limit);

  /**
   * Extends the leases of {@code node}'s running jobs to {@code lease} from now, on the store's
   * clock: each only while its job still runs under the presented claim token, held by {@code
   * node}.
   *
   * @return the leases renewed (the others are lost), and which of them a user asked to cancel
   */
  Heartbeat jobHeartbeat(String node, Collection<LeasedJob> leases, Duration lease);

  /**
   * Cancels a job: a pending one (scheduled, available, retrying) at once; for a running one,
   * records the request and notifies {@link Notifier#CANCEL} so its node interrupts it.
   *
   * @return the state the job had: it was cancelled if that was pending, asked to stop if {@code
   *     running}, and left alone if final; empty if there is no such job
   */
  Optional<JobState> jobCancel(long id, Instant now);

  /**
   * Runs a job again: a dead or cancelled one becomes available with fresh attempts (its errors and
   * checkpoint kept), and the workflow steps its failure cancelled (not those a user cancelled)
   * wait again, down the graph, in the same transaction; a retrying or scheduled one runs now.
   *
   * @return the state the job had; it changed only if that was dead, cancelled, retrying or
   *     scheduled; empty if there is no such job
   */
  Optional<JobState> jobRetry(long id, Instant now);

  /**
   * Deletes a job that is not running and that no unfinished workflow step waits for.
   *
   * @return the state the job had (nothing was deleted if it was running); empty if none
   * @throws IllegalStateException naming the steps, if unfinished workflow steps wait for the job
   *     (deleting it would leave them waiting forever); nothing is deleted
   */
  Optional<JobState> jobDelete(long id);

  /**
   * The refusal of {@link #jobDelete}, the same on every store: throws when {@code waiting} (the
   * unfinished steps that wait for job {@code id}, described) is not empty.
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
   */
  int jobReplayMany(JobFilter filter, Instant now);

  /** Deletes the jobs matching {@code filter} that are not running or pending; returns how many. */
  int jobDeleteMany(JobFilter filter);

  /** Deletes up to {@code limit} jobs in {@code state} that finished before {@code before}. */
  int jobPrune(JobState state, Instant before, int limit);

  /** Every queue that has jobs or was paused, with counts and last-minute figures. */
  List<QueueStats> queueStats(Instant now);

  /** Pauses or resumes claiming from {@code queue} on every node. */
  void queuePause(String queue, boolean paused);

  /** Every queue with a row of settings (paused, or given flow-control options), by name. */
  List<QueueSettings> queueSettingsList();

  /**
   * Writes the flow-control options of {@code queue}, keeping its paused flag.
   *
   * @param onlyIfUnconfigured write only when no options were ever written for the queue (a node's
   *     code-declared defaults never overwrite what an operator set)
   * @return whether the options were written
   */
  boolean queueSettingsPut(String queue, QueueOptions options, boolean onlyIfUnconfigured);

  /**
   * Counts what the flow control of {@code queue} holds back: its due jobs by {@code now} (the
   * engine's clock), what runs with a live lease, and against {@code options}' per-key limit and
   * rate per key, the keys at their limit and the due jobs they hold; with a {@code key}, also what
   * that key uses. Reads only, without the claim's lock: the claim path pays nothing for it.
   */
  QueueFlow queueFlow(
      String queue,
      QueueOptions options,
      @org.jspecify.annotations.Nullable String key,
      Instant now);

  /**
   * Returns running jobs to {@code available} without counting the attempt (a graceful shutdown);
   * guarded by their tokens.
   */
  int jobReleaseMany(List<LeasedJob> jobs, Instant now);

  /** Running jobs whose lease expired by the store's clock, oldest lease first. */
  List<StuckJob> jobGetStuck(int limit);

  Optional<Job> jobGet(long id);

  JobPage jobList(JobQuery query);

  /** Records that a node can run these kinds, so other nodes may enqueue them. */
  void kindAnnounce(Collection<String> kinds, Instant now);

  /** Whether any node ever announced this kind. */
  boolean kindKnown(String kind);

  /**
   * The claim token of job {@code id} while it runs, with its attempt: what a push endpoint's job
   * token is checked against on any node. Empty when the job does not run.
   */
  Optional<LeasedJob> jobRunningLease(long id);

  /**
   * Stores a schedule. A new one is inserted as given; an existing one is left alone unless {@code
   * replace}, which rewrites its definition (keeping its last tick and pause, un-disabling it; when
   * its timing changed or it was disabled, its last tick moves up to {@code s.lastTick()} so ticks
   * it did not own are not caught up).
   *
   * @return whether the schedule was written
   */
  boolean scheduleSave(ScheduleRecord s, boolean replace);

  /** Every schedule by name, with its latest job. */
  List<ScheduleRecord> scheduleList();

  Optional<ScheduleRecord> scheduleGet(String name);

  /**
   * @return whether there was such a schedule
   */
  boolean scheduleDelete(String name);

  /**
   * Pauses or resumes a schedule. Resuming moves its last tick up to {@code now}: ticks while it
   * was paused are skipped, not caught up.
   *
   * @return whether there was such a schedule
   */
  boolean schedulePause(String name, boolean paused, Instant now);

  /**
   * Disables the schedules declared in code whose names are not in {@code declared}; returns how
   * many.
   */
  int scheduleDisableUndeclared(Collection<String> declared);

  /**
   * Fires a schedule up to {@code tick} in one transaction: {@code UPDATE ... SET last_tick = tick
   * WHERE name = ? AND last_tick < tick} (and not paused or disabled), and only if that changed the
   * row, inserts {@code jobs}. This is what makes a tick enqueue one job with any number of nodes.
   *
   * @return the inserted ids, or empty when another node fired the tick first (or the schedule is
   *     gone, paused or disabled)
   */
  Optional<List<Long>> scheduleFire(String name, Instant tick, List<JobInsert> jobs);

  /**
   * Inserts a workflow, its steps' jobs and their dependencies in one transaction, and wakes the
   * queues of the steps that can run now.
   *
   * @return the workflow's id
   */
  long workflowInsert(WorkflowInsert workflow);

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
   */
  Optional<String> workflowStepResult(long jobId, String step);

  /**
   * Cancels a workflow: marks it cancelled by a user, cancels its pending and waiting steps at
   * once, and asks the nodes running its running steps to stop them ({@link Notifier#CANCEL}).
   *
   * @return false if there is no such workflow
   */
  boolean workflowCancel(long id, Instant now);

  /**
   * Runs a workflow's dead and cancelled steps again with fresh attempts: each becomes available,
   * or waiting while a dependency has not succeeded; succeeded steps stay as they are.
   *
   * @return false if there is no such workflow
   */
  boolean workflowRetry(long id, Instant now);

  /**
   * Tries to become (or stay) the leader among the nodes of this store for {@code ttl}.
   *
   * @return whether {@code node} is the leader now
   */
  boolean leaderAttemptElect(String node, Duration ttl, Instant now);

  /** Gives up leadership if {@code node} holds it. */
  void leaderResign(String node);

  /** The wake-up channel of this store. */
  Notifier notifier();

  /** Whether {@link #notifier()} reaches other processes (PostgreSQL), not only this JVM. */
  boolean supportsListenNotify();

  /** A short description for logs and errors, without passwords. */
  String describe();

  @Override
  void close();
}
