package dev.offload.postgres;

import dev.offload.store.Store.JobInsert;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Binds the parameters of {@link Sql#insertMany} and {@link Sql#insertManyKeyed}. A column whose
 * value every job of the batch shares (the kind, queue, times and options of an {@code enqueueAll},
 * the nulls of the columns it does not use) is sent once, as a single value; only a column that
 * differs between jobs is sent as an array of one value per job, and args always are. PostgreSQL
 * then parses one array of a thousand elements instead of fourteen, and the client formats one
 * timestamp instead of two thousand: that was most of what a batch insert cost beyond the bare
 * insert.
 *
 * <p>The statement takes the single values first ({@link #SHARED} parameters, in {@link #COLUMNS}
 * order), then args, then one array per column in the same order. {@code coalesce(t.col, p.col)}
 * picks the job's own value when the column came as an array (its single value is then null) and
 * the shared one otherwise (its array is then empty, and {@code unnest} pads it with nulls).
 * Parameter types never change between calls, so the server-side prepared statement is reused.
 *
 * <p>A batch whose jobs share every column but args (an {@code enqueueAll} of one kind with one set
 * of options, the usual case) takes {@link #insertShared} instead: the single values straight into
 * the select list, args the only array, nothing to coalesce. Single times and JSON are sent untyped
 * for the server to read as the column's type once per statement; sent as text they would be cast
 * again for every row (a timestamp parsed twice per job cost more than the rest of the statement's
 * difference from the bare insert).
 */
final class InsertColumns {
  /** A column other than args: its SQL name and array element type, and its value in a job. */
  private record Column(String name, String type, Function<JobInsert, Object> value) {}

  private static final List<Column> COLUMNS =
      List.of(
          new Column("kind", "text", JobInsert::kind),
          new Column("queue", "text", JobInsert::queue),
          new Column("priority", "int4", JobInsert::priority),
          new Column("max_attempts", "int4", JobInsert::maxAttempts),
          new Column("state", "text", j -> j.state().wireName()),
          new Column("run_at", "timestamptz", JobInsert::runAt),
          new Column("created_at", "timestamptz", JobInsert::createdAt),
          new Column("parent_id", "int8", JobInsert::parentId),
          new Column("retry_items", "jsonb", JobInsert::retryItemsJson),
          new Column("idempotency_key", "text", JobInsert::idempotencyKey),
          new Column("schedule", "text", JobInsert::schedule),
          new Column("concurrency_key", "text", JobInsert::concurrencyKey),
          new Column("headers", "jsonb", JobInsert::headersJson));

  /** How many single-value parameters come before args. */
  static final int SHARED = COLUMNS.size();

  /** How many parameters {@link #bind} sets: the single values, args and the arrays. */
  static final int PARAMETERS = 2 * SHARED + 1;

  private static final Object[] NONE = new Object[0];

  /** The column list of a job's row: args, then {@link #COLUMNS}. */
  private static final String NAMES =
      "args, " + String.join(", ", COLUMNS.stream().map(Column::name).toList());

  /** {@link #COLUMNS} as single parameters, each cast to its type, after args. */
  private static final String VALUES = singleValues("?::text");

  private InsertColumns() {}

  /** The statement's column list, single values, args and arrays, around {@code conflict}. */
  static String insert(String schema, String conflict, String returning) {
    StringBuilder names = new StringBuilder("args");
    StringBuilder shared = new StringBuilder();
    StringBuilder arrays = new StringBuilder("?::text[]");
    StringBuilder picked = new StringBuilder("t.args::jsonb");
    for (Column col : COLUMNS) {
      String sqlType = sqlType(col);
      names.append(", ").append(col.name());
      shared.append(shared.isEmpty() ? "" : ", ").append("?::").append(sqlType);
      arrays.append(", ?::").append(sqlType).append("[]");
      picked.append(",\n       coalesce(t.%1$s, p.%1$s)".formatted(col.name()));
      if (col.name().equals("priority")) {
        picked.append("::smallint");
      }
    }
    return """
    INSERT INTO %s.jobs (%s)
    SELECT %s
    FROM (VALUES (%s)) AS p(%s),
         unnest(%s) AS t(%s)
    %s
    RETURNING %s\
    """
        .formatted(
            schema,
            names,
            picked,
            shared,
            names.substring("args, ".length()),
            arrays,
            names,
            conflict,
            returning);
  }

  /**
   * The insert of a batch that {@link #allShared} shares every column but args: the single values
   * ({@link #SHARED}), then args, then the queues to notify; one NOTIFY per queue, in an InitPlan
   * that runs once before the rows (a CTE would materialise every returned id a second time).
   */
  static String insertShared(String schema, String channel) {
    return """
    INSERT INTO %s.jobs (%s)
    SELECT %s
    FROM unnest(?::text[]) AS a
    WHERE (SELECT count(pg_notify('%s', q)) FROM unnest(?::text[]) AS q) > 0
    RETURNING id\
    """
        .formatted(schema, NAMES, "a::jsonb" + VALUES, channel);
  }

  /**
   * Whether every job of {@code jobs} has the same value in every column of {@link #COLUMNS}.
   * Written out rather than through {@link Column#value}: thirteen functions called at one site are
   * not inlined, and this runs for every job of every batch.
   */
  static boolean allShared(List<JobInsert> jobs) {
    JobInsert a = jobs.get(0);
    for (int i = 1; i < jobs.size(); i++) {
      JobInsert b = jobs.get(i);
      boolean same =
          a.kind().equals(b.kind())
              && a.queue().equals(b.queue())
              && a.priority() == b.priority()
              && a.maxAttempts() == b.maxAttempts()
              && a.state() == b.state()
              && a.runAt().equals(b.runAt())
              && a.createdAt().equals(b.createdAt())
              && Objects.equals(a.parentId(), b.parentId())
              && Objects.equals(a.retryItemsJson(), b.retryItemsJson())
              && Objects.equals(a.idempotencyKey(), b.idempotencyKey())
              && Objects.equals(a.schedule(), b.schedule())
              && Objects.equals(a.concurrencyKey(), b.concurrencyKey())
              && Objects.equals(a.headersJson(), b.headersJson());
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /**
   * Binds {@code jobs}, which {@link #allShared} share every column but args, to {@link
   * #insertShared}.
   *
   * @return the index of the next parameter (the queues)
   */
  static int bindShared(Connection c, PreparedStatement ps, List<JobInsert> jobs)
      throws SQLException {
    for (int at = 0; at < COLUMNS.size(); at++) {
      Column col = COLUMNS.get(at);
      setOne(ps, at + 1, col, col.value().apply(jobs.get(0)));
    }
    ps.setArray(SHARED + 1, c.createArrayOf("text", args(jobs)));
    return SHARED + 2;
  }

  private static String[] args(List<JobInsert> jobs) {
    String[] args = new String[jobs.size()];
    for (int i = 0; i < args.length; i++) {
      args[i] = jobs.get(i).argsJson();
    }
    return args;
  }

  /**
   * The insert of one job without an idempotency key: its values as parameters (args first, then
   * {@link #COLUMNS}), no arrays to build or unnest, and the NOTIFY of its queue.
   */
  static String insertOne(String schema, String channel) {
    return """
    WITH ins AS (
      INSERT INTO %s.jobs (%s)
      VALUES (%s)
      RETURNING id, queue
    )
    SELECT id, pg_notify('%s', queue) FROM ins\
    """
        .formatted(schema, NAMES, "?::jsonb" + VALUES, channel);
  }

  /**
   * {@link #insertOne} for a statement that is its own transaction (autocommit), which counts its
   * job in {@code job_counts} itself rather than through the insert trigger: it sets the
   * transaction-local {@code offload.insert_counted} before the row is inserted (the {@code mark}
   * row the insert selects from), and the trigger skips statements of a transaction so marked
   * (migration 010). In a longer transaction the mark would silence the trigger for the statements
   * after it, so only the store's own autocommit connection sends this.
   */
  static String insertOneOwn(String schema, String channel) {
    return """
    WITH mark AS (
      SELECT set_config('offload.insert_counted', 'on', true)
    ), ins AS (
      INSERT INTO %1$s.jobs (%2$s)
      SELECT %3$s FROM mark
      RETURNING id, queue, state
    ), counted AS (
      INSERT INTO %1$s.job_counts AS c (queue, state, slot, n)
      SELECT queue, state, pg_backend_pid(), 1 FROM ins
      ON CONFLICT (queue, state, slot) DO UPDATE SET n = c.n + 1
    )
    SELECT id, pg_notify('%4$s', queue) FROM ins\
    """
        .formatted(schema, NAMES, "?::jsonb" + VALUES, channel);
  }

  /**
   * {@link #insertOneOwn} of a job the inserting node claims as it inserts it ({@code
   * Store.jobInsertThenClaim}): the row is inserted already {@code running} under the claim's lease
   * and token, with its first attempt, when the claim's queue-level rules allow it ({@code
   * queueClaimable}: neither paused nor under flow control this node's claim may not take); else it
   * is inserted as the job asked ({@code available}) and announced like any insert. Its parameters:
   * {@code queueClaimable}'s (queue, whether the node leases slots), then the job as {@link
   * #bindOne} binds it, then the node, the lease in milliseconds and the claim token. It returns
   * the claim's columns ({@code JdbcRows.claimed}) and then the state inserted.
   *
   * <p>One row version instead of an insert and then an update: no dead tuple, no second round of
   * index entries, and no update trigger (its transition tables cost more than the claim itself).
   */
  static String insertOneClaimed(String schema, String channel, String queueClaimable) {
    String values = singleValues("CASE WHEN ok.claim THEN 'running' ELSE ?::text END");
    return """
    WITH mark AS (
      SELECT set_config('offload.insert_counted', 'on', true)
    ), ok AS (
      SELECT %5$s AS claim
    ), ins AS (
      INSERT INTO %1$s.jobs (%2$s, attempt, lease_owner, lease_expires_at, claim_token)
      SELECT %3$s,
             CASE WHEN ok.claim THEN 1 ELSE 0 END,
             CASE WHEN ok.claim THEN ?::text END,
             -- Leases are on the database's clock, as the claim's are.
             CASE WHEN ok.claim THEN now() + ?::bigint * interval '1 millisecond' END,
             CASE WHEN ok.claim THEN ?::bigint END
      FROM mark, ok
      RETURNING id, kind, queue, args::text, attempt, max_attempts, priority, checkpoint::text,
                failed_items::text, retry_items::text, run_at, headers::text AS headers, state
    ), counted AS (
      INSERT INTO %1$s.job_counts AS c (queue, state, slot, n)
      SELECT queue, state, pg_backend_pid(), 1 FROM ins
      ON CONFLICT (queue, state, slot) DO UPDATE SET n = c.n + 1
    )
    SELECT ins.*, CASE WHEN state <> 'running' THEN pg_notify('%4$s', queue) END FROM ins\
    """
        .formatted(schema, NAMES, "?::jsonb" + values, channel, queueClaimable);
  }

  /** Binds one job to {@link #insertOne} or {@link #insertOneOwn}. */
  static void bindOne(PreparedStatement ps, JobInsert job) throws SQLException {
    bindOne(ps, job, 1);
  }

  /**
   * Binds one job from parameter {@code first} on ({@link #insertOneClaimed}).
   *
   * @return the next parameter's index
   */
  static int bindOne(PreparedStatement ps, JobInsert job, int first) throws SQLException {
    ps.setString(first, job.argsJson());
    for (int at = 0; at < COLUMNS.size(); at++) {
      Column col = COLUMNS.get(at);
      setOne(ps, first + 1 + at, col, col.value().apply(job));
    }
    return first + 1 + COLUMNS.size();
  }

  /** The single values of {@link #COLUMNS}, each a parameter; {@code state} as given. */
  private static String singleValues(String state) {
    StringBuilder values = new StringBuilder();
    for (Column col : COLUMNS) {
      values.append(", ").append(col.name().equals("state") ? state : "?::" + sqlType(col));
      if (col.name().equals("priority")) {
        values.append("::smallint");
      }
    }
    return values.toString();
  }

  private static String sqlType(Column col) {
    return col.type().equals("int4") ? "int" : col.type().equals("int8") ? "bigint" : col.type();
  }

  /**
   * Binds {@code jobs} (at least one) to {@code ps}.
   *
   * @return the index of the next parameter (the queues)
   */
  static int bind(Connection c, PreparedStatement ps, List<JobInsert> jobs) throws SQLException {
    int n = jobs.size();
    ps.setArray(SHARED + 1, c.createArrayOf("text", args(jobs)));
    for (int at = 0; at < COLUMNS.size(); at++) {
      Column col = COLUMNS.get(at);
      Object first = col.value().apply(jobs.get(0));
      boolean shared = true;
      for (int i = 1; i < n && shared; i++) {
        shared = Objects.equals(col.value().apply(jobs.get(i)), first);
      }
      Object[] each = NONE;
      if (shared) {
        setOne(ps, at + 1, col, first);
      } else {
        setOne(ps, at + 1, col, null);
        each = new Object[n];
        for (int i = 0; i < n; i++) {
          each[i] = wire(col.value().apply(jobs.get(i)));
        }
      }
      ps.setArray(SHARED + 2 + at, c.createArrayOf(arrayType(col), each));
    }
    return PARAMETERS + 1;
  }

  private static void setOne(PreparedStatement ps, int index, Column col, Object value)
      throws SQLException {
    switch (col.type()) {
      case "int4" -> ps.setObject(index, value, Types.INTEGER);
      case "int8" -> ps.setObject(index, value, Types.BIGINT);
      // Untyped: the statement's cast then types the parameter, read once, not each row.
      case "timestamptz", "jsonb" -> ps.setObject(index, wire(value), Types.OTHER);
      default -> ps.setString(index, (String) wire(value));
    }
  }

  /** Times travel as text ({@link PgTime}). */
  private static Object wire(Object value) {
    return value instanceof Instant t ? PgTime.text(t) : value;
  }

  private static String arrayType(Column col) {
    return col.type().equals("int4") || col.type().equals("int8") ? col.type() : "text";
  }
}
