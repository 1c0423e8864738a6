package dev.offload.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.offload.Job;
import dev.offload.Job.FailedItems;
import dev.offload.Job.JobError;
import dev.offload.Job.JobFilter;
import dev.offload.Job.JobId;
import dev.offload.Job.JobPage;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Job.Progress;
import dev.offload.internal.Json;
import dev.offload.store.Store;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.InsertResult;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.QueueFlow;
import dev.offload.store.Store.QueueSettings;
import dev.offload.store.Store.ScheduleRecord;
import dev.offload.store.Store.StuckJob;
import dev.offload.store.Store.WorkflowRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What both stores do alike with JDBC: read the rows their SQL returns into the store SPI's
 * records, and append the clauses and values of a {@link JobFilter}. The SQL itself stays in each
 * store, in full: a method here names the columns it reads, in order, and each store's statements
 * select them in that order.
 *
 * <p>A store subclasses this once for how its database keeps a time (PostgreSQL: {@code
 * timestamptz}; SQLite: epoch milliseconds); everything else in a row reads the same. The claim
 * path calls {@link #claimed}: it reads columns by position and allocates nothing but the record.
 */
public abstract class JdbcRows {
  private static final TypeReference<List<JobError>> ERRORS = new TypeReference<>() {};

  protected JdbcRows() {}

  /** The time in {@code column}, or null for SQL NULL. */
  public abstract Instant instant(ResultSet rs, int column) throws SQLException;

  /** {@code t} as a statement parameter of this database's time columns, for {@link #bind}. */
  protected abstract Object timeParameter(Instant t);

  /**
   * The job columns, in this order: {@code id, kind, queue, state, priority, args, attempt,
   * max_attempts, run_at, created_at, started_at, finished_at, lease_owner, errors, result,
   * progress, checkpoint, failed_items, parent_id, schedule, workflow_id, step, concurrency_key,
   * unique_key}, JSON as text.
   */
  public final Job job(ResultSet rs) throws SQLException {
    return job(rs, true, true);
  }

  /**
   * {@link #job(ResultSet)} with the large fields a listing may leave out: a field not read is a
   * missing node (see {@link JobQuery#fields}).
   */
  public final Job job(ResultSet rs, boolean withArgs, boolean withResult) throws SQLException {
    long id = rs.getLong(1);
    long parent = rs.getLong(19);
    JobId parentId = rs.wasNull() ? null : JobId.of(parent);
    return new Job(
        JobId.of(id),
        rs.getString(2),
        rs.getString(3),
        JobState.fromWire(rs.getString(4)),
        rs.getInt(5),
        withArgs ? Json.tree(rs.getString(6)) : MissingNode.getInstance(),
        rs.getInt(7),
        rs.getInt(8),
        instant(rs, 9),
        instant(rs, 10),
        instant(rs, 11),
        instant(rs, 12),
        rs.getString(13),
        errors(id, rs.getString(14)),
        withResult ? Json.tree(rs.getString(15)) : MissingNode.getInstance(),
        read(id, rs.getString(16), Progress.class),
        Json.tree(rs.getString(17)),
        read(id, rs.getString(18), FailedItems.class),
        parentId,
        rs.getString(20),
        nullableLong(rs, 21),
        rs.getString(22),
        rs.getString(23),
        rs.getString(24),
        null);
  }

  /** The job {@code ps} answers, read as {@link #job(ResultSet)} reads it; empty for no row. */
  public final Optional<Job> optionalJob(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(job(rs)) : Optional.empty();
    }
  }

  /** The first column of the first row {@code ps} answers; empty for no row or SQL NULL. */
  public static Optional<String> optionalString(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
    }
  }

  /**
   * A page of a listing: every row of {@code rs} as a job, with the fields {@code query} asks for.
   */
  public final JobPage page(ResultSet rs, JobQuery query) throws SQLException {
    boolean args = query.includes(JobQuery.Field.ARGS);
    boolean result = query.includes(JobQuery.Field.RESULT);
    List<Job> jobs = new ArrayList<>();
    while (rs.next()) {
      jobs.add(job(rs, args, result));
    }
    return JobPage.of(jobs, query.limit());
  }

  /**
   * A claimed job: {@code id, kind, queue, args, attempt, max_attempts, priority, checkpoint,
   * failed_items, retry_items, run_at} by position, then a column named {@code headers} (a claim
   * may return other columns between them).
   */
  public final ClaimedJob claimed(ResultSet rs, long token) throws SQLException {
    return new ClaimedJob(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getInt(5),
        rs.getInt(6),
        rs.getInt(7),
        rs.getString(8),
        rs.getString(9),
        rs.getString(10),
        token,
        instant(rs, 11),
        rs.getString("headers"));
  }

  /**
   * A running job whose lease expired: {@code id, kind, attempt, max_attempts, claim_token,
   * lease_owner}.
   */
  public static StuckJob stuck(ResultSet rs, Instant checkedAt) throws SQLException {
    return new StuckJob(
        rs.getLong(1),
        rs.getString(2),
        rs.getInt(3),
        rs.getInt(4),
        rs.getLong(5),
        rs.getString(6),
        checkedAt);
  }

  /**
   * A schedule with its latest job: {@code name, kind, args, queue, priority, max_attempts, cron,
   * zone, every_ms, catch_up, paused, declared, disabled, last_tick}, then that job's {@code id,
   * state} (null when it made none).
   */
  public final ScheduleRecord schedule(ResultSet rs) throws SQLException {
    return new ScheduleRecord(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getInt(5),
        rs.getInt(6),
        rs.getString(7),
        rs.getString(8),
        nullableLong(rs, 9),
        rs.getString(10),
        rs.getBoolean(11),
        rs.getBoolean(12),
        rs.getBoolean(13),
        instant(rs, 14),
        nullableLong(rs, 15),
        rs.getString(16));
  }

  /** Every schedule {@code ps} answers, each row as {@link #schedule} reads it. */
  public final List<ScheduleRecord> schedules(PreparedStatement ps) throws SQLException {
    List<ScheduleRecord> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(schedule(rs));
      }
    }
    return out;
  }

  /**
   * Binds {@code s} to a store's insert or upsert of a schedule, whose parameters are {@code name,
   * kind, args, queue, priority, max_attempts, cron, zone, every_ms, catch_up, paused, declared,
   * last_tick}.
   */
  public final void bindSchedule(PreparedStatement ps, ScheduleRecord s) throws SQLException {
    ps.setString(1, s.name());
    ps.setString(2, s.kind());
    ps.setString(3, s.argsJson());
    ps.setString(4, s.queue());
    ps.setInt(5, s.priority());
    ps.setInt(6, s.maxAttempts());
    ps.setString(7, s.cron());
    ps.setString(8, s.zone());
    ps.setObject(9, s.everyMillis(), Types.BIGINT);
    ps.setString(10, s.catchUp());
    ps.setBoolean(11, s.paused());
    ps.setBoolean(12, s.declared());
    set(ps, 13, timeParameter(s.lastTick()));
  }

  /**
   * Binds a workflow step to a store's insert of one, whose parameters are {@code kind, queue,
   * priority, args, max_attempts, state, run_at, created_at, workflow_id, step, on_failure}.
   */
  public final void bindStep(
      PreparedStatement ps,
      JobInsert j,
      String state,
      long workflowId,
      String step,
      String onFailure)
      throws SQLException {
    bindJob(ps, j, state);
    ps.setLong(9, workflowId);
    ps.setString(10, step);
    ps.setString(11, onFailure);
  }

  /**
   * Binds a job with keys to a store's insert of one, whose parameters are {@code kind, queue,
   * priority, args, max_attempts, state, run_at, created_at, parent_id, retry_items,
   * idempotency_key, concurrency_key, unique_key, headers}.
   */
  public final void bindKeyed(PreparedStatement ps, JobInsert j) throws SQLException {
    bindJob(ps, j, j.state().wireName());
    ps.setObject(9, j.parentId(), Types.BIGINT);
    ps.setString(10, j.retryItemsJson());
    ps.setString(11, j.idempotencyKey());
    ps.setString(12, j.concurrencyKey());
    ps.setString(13, j.uniqueKey());
    ps.setString(14, j.headersJson());
  }

  /**
   * The job that already answers {@code j}'s keys, or null: the one that holds its idempotency key
   * (it must be the same request), else one with its unique key that finished after {@code
   * j.uniqueFinishedAfter()}.
   *
   * @param idempotencyGet selects {@code id, kind, args} of the job that holds an idempotency key
   * @param uniqueFinished selects the id of a job with a unique key (first parameter) that finished
   *     after a time (second)
   * @throws dev.offload.IdempotencyKeyConflictException if the key's job has another kind or args
   */
  public final InsertResult existing(
      Connection c, JobInsert j, String idempotencyGet, String uniqueFinished) throws SQLException {
    if (j.idempotencyKey() != null) {
      try (PreparedStatement ps = c.prepareStatement(idempotencyGet)) {
        ps.setString(1, j.idempotencyKey());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            j.requireSameRequest(rs.getLong(1), rs.getString(2), rs.getString(3));
            return new InsertResult(rs.getLong(1), true);
          }
        }
      }
    }
    if (j.uniqueFinishedAfter() != null) {
      Long recent =
          singleId(c, uniqueFinished, j.uniqueKey(), timeParameter(j.uniqueFinishedAfter()));
      if (recent != null) {
        return new InsertResult(recent, true);
      }
    }
    return null;
  }

  /**
   * A store's statements for a job with a unique key, in the order {@link #insertUnique} runs them.
   *
   * @param idempotencyGet see {@link #existing}
   * @param uniqueFinished see {@link #existing}
   * @param insert inserts the job unless a live job holds its unique key (parameters as {@link
   *     #bindKeyed}), answering its id, or no row
   * @param replace updates {@code args, run_at, priority, state} of the job with the unique key
   *     (fifth parameter) that has not started, answering its id, or no row
   * @param live selects the id of the live job that holds a unique key
   */
  public record UniqueStatements(
      String idempotencyGet, String uniqueFinished, String insert, String replace, String live) {}

  /** What a store does once a keyed insert wrote a job, such as waking its queue's workers. */
  public interface Written {
    /**
     * Called in the insert's transaction.
     *
     * @param replaced the duplicate whose args and run time were replaced, or null for a new job
     */
    void written(JobInsert j, Long replaced) throws SQLException;
  }

  /**
   * One try at a job with a unique key: the job that already answers its keys, else a new one, else
   * the duplicate it replaces ({@code onDuplicate: replace}), else the live job that holds the key.
   * Null when the holder finished between the insert and the look-up, which freed the key: the
   * caller tries again, or fails if its lock should have prevented that.
   */
  public final InsertResult insertUnique(
      Connection c, JobInsert j, UniqueStatements sql, Written written) throws SQLException {
    InsertResult existing = existing(c, j, sql.idempotencyGet(), sql.uniqueFinished());
    if (existing != null) {
      return existing;
    }
    try (PreparedStatement ps = c.prepareStatement(sql.insert())) {
      bindKeyed(ps, j);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          written.written(j, null);
          return new InsertResult(rs.getLong(1), false);
        }
      }
    }
    if (j.replaceDuplicate()) {
      Long replaced =
          singleId(
              c,
              sql.replace(),
              j.argsJson(),
              timeParameter(j.runAt()),
              j.priority(),
              j.state().wireName(),
              j.uniqueKey());
      if (replaced != null) {
        written.written(j, replaced);
        return new InsertResult(replaced, true);
      }
    }
    Long live = singleId(c, sql.live(), j.uniqueKey());
    return live == null ? null : new InsertResult(live, true);
  }

  /**
   * Binds parameters 1 to 8: {@code kind, queue, priority, args, max_attempts, state, run_at,
   * created_at}.
   */
  private void bindJob(PreparedStatement ps, JobInsert j, String state) throws SQLException {
    ps.setString(1, j.kind());
    ps.setString(2, j.queue());
    ps.setInt(3, j.priority());
    ps.setString(4, j.argsJson());
    ps.setInt(5, j.maxAttempts());
    ps.setString(6, state);
    set(ps, 7, timeParameter(j.runAt()));
    set(ps, 8, timeParameter(j.createdAt()));
  }

  /**
   * A queue's settings: {@code name, paused, configured, max_running, per_key, rate_count,
   * rate_period_ms, rate_per_key, fair, aging_ms, push_url, push_timeout_ms, push_secret_env,
   * push_allow_http}.
   */
  public static QueueSettings queueSettings(ResultSet rs) throws SQLException {
    return QueueSettings.fromColumns(
            rs.getString(1),
            rs.getBoolean(2),
            rs.getBoolean(3),
            nullableInt(rs, 4),
            nullableInt(rs, 5),
            nullableInt(rs, 6),
            nullableLong(rs, 7),
            rs.getBoolean(8),
            rs.getBoolean(9),
            nullableLong(rs, 10))
        .withPush(rs.getString(11), nullableLong(rs, 12), rs.getString(13), rs.getBoolean(14));
  }

  /** What a queue's flow control holds back, the columns in the order of {@link QueueFlow}. */
  public static QueueFlow queueFlow(ResultSet rs) throws SQLException {
    return new QueueFlow(
        rs.getLong(1),
        rs.getLong(2),
        rs.getLong(3),
        rs.getLong(4),
        rs.getLong(5),
        nullableLong(rs, 6),
        rs.getLong(7),
        nullableLong(rs, 8),
        rs.getLong(9),
        rs.getLong(10));
  }

  /**
   * A workflow's step: {@code id, step, kind, state, on_failure, started_at, finished_at,
   * progress}; {@code after}, the steps it waits for, each database aggregates its own way.
   */
  public final WorkflowRecord.Step workflowStep(ResultSet rs, List<String> after)
      throws SQLException {
    return new WorkflowRecord.Step(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        JobState.fromWire(rs.getString(4)),
        after,
        rs.getString(5),
        instant(rs, 6),
        instant(rs, 7),
        rs.getString(8));
  }

  /**
   * The running workflow step that adds steps, locked by the store: {@code state, workflow_id,
   * step, the workflow's cancelled_at}.
   *
   * @param rs positioned before the row (none when the job is gone)
   * @throws IllegalStateException if the job is gone, is not a running workflow step, or its
   *     workflow was cancelled
   */
  public static AddingStep addingStep(ResultSet rs, long jobId) throws SQLException {
    if (!rs.next()) {
      throw new IllegalStateException("job " + jobId + " no longer exists");
    }
    long workflowId = rs.getLong(2);
    if (rs.wasNull()) {
      throw new IllegalStateException("job " + jobId + " is not a workflow step");
    }
    String step = rs.getString(3);
    if (!rs.getString(1).equals(JobState.RUNNING.wireName())) {
      throw new IllegalStateException(
          "step '"
              + step
              + "' (job "
              + jobId
              + ") is "
              + rs.getString(1)
              + ": only a running step adds steps");
    }
    if (rs.getObject(4) != null) {
      throw new IllegalStateException("workflow " + workflowId + " was cancelled");
    }
    return new AddingStep(workflowId, step);
  }

  /** The workflow and name of a running step that adds steps ({@link #addingStep}). */
  public record AddingStep(long workflowId, String step) {}

  /** Finds a step of one workflow by its full name: its job's id, or null. */
  public interface StepIds {
    Long of(String step) throws SQLException;
  }

  /**
   * The job ids of the steps that the added step {@code name} waits for, in order.
   *
   * @throws IllegalArgumentException naming the first of {@code after} that is missing
   */
  public static List<Long> stepDependencies(String name, List<String> after, StepIds steps)
      throws SQLException {
    List<Long> deps = new ArrayList<>();
    for (String dep : after) {
      Long d = steps.of(dep);
      if (d == null) {
        throw new IllegalArgumentException(
            "step '" + name + "' waits for a missing step '" + dep + "'");
      }
      deps.add(d);
    }
    return deps;
  }

  /** The long in {@code column}, or null for SQL NULL. */
  public static Long nullableLong(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  /** The int in {@code column}, or null for SQL NULL. */
  public static Integer nullableInt(ResultSet rs, int column) throws SQLException {
    int v = rs.getInt(column);
    return rs.wasNull() ? null : v;
  }

  /**
   * The clauses of a job filter in one database's SQL; each starts with {@code " AND "} and takes
   * one value. A store appends them to its listing, replay and purge statements.
   *
   * @param errorClass compares the class of the job's latest error
   */
  public record FilterClauses(
      String state,
      String queue,
      String kind,
      String errorClass,
      String finishedAfter,
      String finishedBefore) {}

  /**
   * The clauses of {@code filter} that apply, in {@code clauses}' SQL; appends their values to
   * {@code params}. Written out per call rather than as {@code (? IS NULL OR state = ?)}: only a
   * plain {@code state = ?} lets either database use its (state, id) and (kind, id) indexes.
   */
  public final String where(JobFilter filter, FilterClauses clauses, List<Object> params) {
    StringBuilder w = new StringBuilder();
    if (filter.state() != null) {
      w.append(clauses.state());
      params.add(filter.state().wireName());
    }
    if (filter.queue() != null) {
      w.append(clauses.queue());
      params.add(filter.queue());
    }
    if (filter.kind() != null) {
      w.append(clauses.kind());
      params.add(filter.kind());
    }
    if (filter.errorClass() != null) {
      w.append(clauses.errorClass());
      params.add(filter.errorClass());
    }
    if (filter.finishedAfter() != null) {
      w.append(clauses.finishedAfter());
      params.add(timeParameter(filter.finishedAfter()));
    }
    if (filter.finishedBefore() != null) {
      w.append(clauses.finishedBefore());
      params.add(timeParameter(filter.finishedBefore()));
    }
    return w.toString();
  }

  /**
   * The filter of a page's listing: appends the cursor ({@code id < ?}, which the store's listing
   * statement ends with), the filter's values and the page size ({@code LIMIT ?}, which the store
   * appends after the clauses returned) to {@code params}.
   */
  public final String listWhere(JobQuery query, FilterClauses clauses, List<Object> params) {
    params.add(query.beforeId());
    String where = where(query.filter(), clauses, params);
    params.add(query.limit());
    return where;
  }

  /** Binds strings, longs, ints and timestamps in order; nothing else is ever a parameter here. */
  public static void bind(PreparedStatement ps, List<?> params) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      set(ps, i + 1, params.get(i));
    }
  }

  private static void set(PreparedStatement ps, int index, Object v) throws SQLException {
    if (v instanceof String s) {
      ps.setString(index, s);
    } else if (v instanceof Long l) {
      ps.setLong(index, l);
    } else if (v instanceof Integer n) {
      ps.setInt(index, n);
    } else if (v instanceof Timestamp t) {
      ps.setTimestamp(index, t);
    } else {
      throw new IllegalArgumentException("cannot bind " + v);
    }
  }

  /** Runs one statement on {@code c} with {@code params} bound as {@link #bind} binds them. */
  public static void update(Connection c, String statement, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      bind(ps, List.of(params));
      ps.executeUpdate();
    }
  }

  /** The first column of a query's first row, as a long (an id); null when it answers no row. */
  public static Long singleId(Connection c, String query, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(query)) {
      bind(ps, List.of(params));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  /** The first column of every row {@code ps} answers, as longs (ids), in order. */
  public static List<Long> ids(PreparedStatement ps) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  /** What a store is doing when it takes {@code action} on job {@code id}, for its errors. */
  public static String doing(Store.JobAction action, long id) {
    String verb =
        switch (action) {
          case CANCEL -> "cancelling";
          case RETRY -> "retrying";
          case DELETE -> "deleting";
          default -> "acting on";
        };
    return verb + " job " + id;
  }

  /**
   * Refuses to delete job {@code id} while unfinished workflow steps wait for it ({@code
   * Store.refuseIfDependedOn}); {@code unfinishedDependents} selects their {@code id, step}, its
   * one parameter the job's id.
   *
   * @throws IllegalStateException naming the steps that wait for the job
   */
  public static void refuseIfDependedOn(Connection c, String unfinishedDependents, long id)
      throws SQLException {
    List<String> waiting = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(unfinishedDependents)) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          waiting.add("job " + rs.getLong(1) + " (step '" + rs.getString(2) + "')");
        }
      }
    }
    Store.refuseIfDependedOn(id, waiting);
  }

  /** Work on a connection that may throw {@link SQLException}. */
  public interface SqlWork<T> {
    T run() throws SQLException;
  }

  /**
   * What {@code work} returns, done under a savepoint of {@code c}: when it throws, nothing it
   * wrote stays in the caller's transaction, which goes on.
   */
  public static <T> T underSavepoint(Connection c, SqlWork<T> work) throws SQLException {
    Savepoint before = c.setSavepoint();
    try {
      T result = work.run();
      c.releaseSavepoint(before);
      return result;
    } catch (SQLException | RuntimeException e) {
      c.rollback(before);
      throw e;
    }
  }

  private static List<JobError> errors(long id, String json) throws SQLException {
    try {
      return Json.read(json, ERRORS);
    } catch (JsonProcessingException e) {
      throw malformed(id, "errors", e);
    }
  }

  private static <T> T read(long id, String json, Class<T> type) throws SQLException {
    if (json == null) {
      return null;
    }
    try {
      return Json.read(json, type);
    } catch (JsonProcessingException e) {
      throw malformed(id, type.getSimpleName(), e);
    }
  }

  private static SQLException malformed(long id, String what, JsonProcessingException e) {
    return new SQLException(
        "job " + id + " has malformed " + what + " JSON: " + e.getOriginalMessage(), e);
  }
}
