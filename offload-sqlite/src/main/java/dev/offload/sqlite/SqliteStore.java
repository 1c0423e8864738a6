package dev.offload.sqlite;

import static dev.offload.sqlite.Rows.ROWS;
import static dev.offload.store.jdbc.JdbcRows.bind;
import static dev.offload.store.jdbc.JdbcRows.update;

import dev.offload.Job;
import dev.offload.Job.JobFilter;
import dev.offload.Job.JobPage;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Offload.KindStats;
import dev.offload.Offload.QueueStats;
import dev.offload.QueueOptions;
import dev.offload.internal.Json;
import dev.offload.store.Store;
import dev.offload.store.Store.ClaimParams;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.Completion;
import dev.offload.store.Store.Gcra;
import dev.offload.store.Store.Heartbeat;
import dev.offload.store.Store.InsertResult;
import dev.offload.store.Store.JobAction;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.JobStart;
import dev.offload.store.Store.LeasedJob;
import dev.offload.store.Store.Notifier;
import dev.offload.store.Store.ProgressUpdate;
import dev.offload.store.Store.QueueFlow;
import dev.offload.store.Store.QueueSettings;
import dev.offload.store.Store.ScheduleRecord;
import dev.offload.store.Store.SchemaVersion;
import dev.offload.store.Store.SlotGrant;
import dev.offload.store.Store.SlotRequest;
import dev.offload.store.Store.StuckJob;
import dev.offload.store.Store.WorkflowInsert;
import dev.offload.store.Store.WorkflowRecord;
import dev.offload.store.jdbc.AddedSteps;
import dev.offload.store.jdbc.JdbcRows;
import dev.offload.store.jdbc.QueueSlots;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The embedded store: Offload's jobs in one SQLite file, with nothing to install or run.
 *
 * <p>Usage: {@code Offload.builder().store(SqliteStore.open(Path.of("offload.db")))}; the builder
 * migrates the schema on {@code build()}.
 *
 * <p>Options, fixed: write-ahead logging ({@code journal_mode=WAL}, so readers never wait for the
 * writer nor it for them), {@code synchronous=NORMAL} (durable across process crashes; a power loss
 * may lose the last transactions), a busy timeout of 5 s, foreign keys on. Several processes may
 * share the file; see the package documentation for the limits.
 *
 * <p>Events: publishes {@link Notifier#INSERT} with the queue name on its in-process {@link
 * Notifier} after inserting, releasing, retrying or replaying jobs, {@link Notifier#JOB} with the
 * ids of changed jobs, and {@link Notifier#CANCEL} with the id of a running job whose cancellation
 * was requested; all after the commit, and to this JVM only (other processes on the file learn of a
 * cancellation through their heartbeat).
 *
 * <p>Thread-safe: writes take turns on one connection; reads run on two read-only connections of
 * their own, each in a read transaction, so a slow read (a dashboard's job list, the queue counts)
 * never holds up a claim, heartbeat or completion. A read sees everything committed before it
 * began, this JVM's writes included.
 */
public final class SqliteStore implements Store {
  // Leases are measured on this machine's clock, not on the engine's injectable one (see Store):
  // every process sharing the file runs on this machine and reads the same clock.
  private static final InstantSource LEASE_CLOCK = InstantSource.system();
  private static final AddedSteps ADDED_STEPS =
      new AddedSteps(
          ROWS,
          new AddedSteps.Statements(
              Sql.ADDING_STEP,
              Sql.STEP_BY_NAME,
              Sql.WORKFLOW_STEP_INSERT,
              Sql.DEP_INSERT,
              Sql.GROUP_JOINS,
              Sql.DEPENDS_ON_ANY)) {
        @Override
        protected void bindIds(PreparedStatement ps, int index, List<Long> ids)
            throws SQLException {
          ps.setString(index, Json.write(ids));
        }

        @Override
        protected void joinGroup(Connection c, long workflowId, long jobId, String prefix)
            throws SQLException {
          update(c, Sql.WORKFLOW_GROUP_INSERT, workflowId, jobId, prefix);
          update(c, Sql.GROUP_MEMBERS_DEPS, jobId, workflowId, prefix);
        }
      };

  private final Database db;
  private final Notifier notifier = Notifier.inProcess();

  private SqliteStore(Database db) {
    this.db = db;
  }

  /** The connections, for tests that hold a read open. */
  Database database() {
    return db;
  }

  /**
   * Opens (creating when missing) the database file and its parent directories. Call {@link
   * #migrate()} (or let {@code Offload.builder()} do it) before use.
   *
   * @throws dev.offload.OffloadException when the directory or the file cannot be created or opened
   */
  public static SqliteStore open(Path file) {
    return new SqliteStore(Database.open(file));
  }

  /**
   * Opens an existing database file without creating it, its directories or anything in it, for
   * tools that only read. Check {@link #schemaVersion()} before use.
   *
   * @throws dev.offload.OffloadException when the file does not exist or cannot be opened
   */
  public static SqliteStore openExisting(Path file) {
    return new SqliteStore(Database.openExisting(file));
  }

  @Override
  public void ping() {
    db.read(
        "pinging the database",
        c -> {
          try (Statement st = c.createStatement()) {
            st.execute("SELECT 1");
          }
          return null;
        });
  }

  @Override
  public void migrate() {
    db.write("migrating the schema", Migrations::apply);
  }

  @Override
  public Connection connectionOpen() {
    return db.connectionOpen();
  }

  @Override
  public SchemaVersion schemaVersion() {
    return new SchemaVersion(
        db.read("reading the schema version", Migrations::current), Migrations.latest());
  }

  @Override
  public List<InsertResult> jobInsertManyResults(List<JobInsert> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    List<InsertResult> results =
        db.write("inserting " + jobs.size() + " jobs", c -> insert(c, jobs));
    Set<String> queues = new LinkedHashSet<>();
    jobs.forEach(j -> queues.add(j.queue()));
    wake(queues);
    List<Long> replaced = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      if (results.get(i).duplicate() && jobs.get(i).replaceDuplicate()) {
        replaced.add(results.get(i).id());
      }
    }
    changed(replaced);
    return results;
  }

  @Override
  public List<InsertResult> jobInsertManyResults(Connection tx, List<JobInsert> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    // No wake-up: the jobs exist only once the caller commits, which this store does not see.
    // Workers find them on their next poll.
    try {
      if (jobs.stream().noneMatch(j -> j.idempotencyKey() != null || j.uniqueKey() != null)) {
        return insert(tx, jobs);
      }
      // A key held by a different job leaves nothing of the batch in the caller's transaction.
      return JdbcRows.underSavepoint(tx, () -> insert(tx, jobs));
    } catch (SQLException e) {
      throw db.failure("inserting " + jobs.size() + " jobs on the caller's connection", e);
    }
  }

  private static List<InsertResult> insert(Connection c, List<JobInsert> jobs) throws SQLException {
    List<InsertResult> ids = new ArrayList<>(jobs.size());
    try (PreparedStatement ps = c.prepareStatement(Sql.INSERT)) {
      for (JobInsert job : jobs) {
        if (job.uniqueKey() != null) {
          ids.add(insertUnique(c, job));
          continue;
        }
        ps.setString(1, job.kind());
        ps.setString(2, job.queue());
        ps.setInt(3, job.priority());
        ps.setString(4, job.argsJson());
        ps.setInt(5, job.maxAttempts());
        ps.setString(6, job.state().wireName());
        Rows.setInstant(ps, 7, job.runAt());
        Rows.setInstant(ps, 8, job.createdAt());
        if (job.parentId() == null) {
          ps.setNull(9, java.sql.Types.INTEGER);
        } else {
          ps.setLong(9, job.parentId());
        }
        ps.setString(10, job.retryItemsJson());
        ps.setString(11, job.idempotencyKey());
        ps.setString(12, job.schedule());
        ps.setString(13, job.concurrencyKey());
        ps.setString(14, job.headersJson());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          long id = rs.getLong(1);
          String storedKind = rs.getString(2);
          if (storedKind != null) {
            job.requireSameRequest(id, storedKind, rs.getString(3));
          }
          ids.add(new InsertResult(id, false));
        }
      }
    }
    return ids;
  }

  /**
   * A job with a unique key: the job that already holds the key (finished within uniqueFor, or
   * pending or running), else a new one. The write lock keeps the holder from changing meanwhile.
   */
  private static InsertResult insertUnique(Connection c, JobInsert j) throws SQLException {
    InsertResult result = ROWS.insertUnique(c, j, UNIQUE, (job, replaced) -> {});
    if (result == null) {
      throw new SQLException(
          "unique key '" + j.uniqueKey() + "' is held by a job that could not be found");
    }
    return result;
  }

  private static final JdbcRows.UniqueStatements UNIQUE =
      new JdbcRows.UniqueStatements(
          Sql.IDEMPOTENCY_GET,
          Sql.UNIQUE_FINISHED,
          Sql.INSERT_UNIQUE,
          Sql.UNIQUE_REPLACE,
          Sql.UNIQUE_LIVE);

  @Override
  public List<ClaimedJob> jobClaim(ClaimParams p) {
    if (p.kinds().isEmpty()) {
      return List.of();
    }
    return db.write(
        "claiming jobs of queue '" + p.queue() + "'",
        c -> {
          List<ClaimedJob> claimed =
              p.flow().claimedUnderLock() ? claimControlled(c, p) : claimFree(c, p);
          claimed.sort(CLAIM_ORDER);
          return claimed;
        });
  }

  private static List<ClaimedJob> claimFree(Connection c, ClaimParams p) throws SQLException {
    List<ClaimedJob> claimed = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(Sql.CLAIM)) {
      ps.setString(1, p.node());
      Rows.setInstant(ps, 2, LEASE_CLOCK.instant().plus(p.lease()));
      ps.setLong(3, p.token());
      Rows.setInstant(ps, 4, p.now());
      ps.setString(5, p.queue());
      ps.setString(6, Json.write(p.kinds()));
      ps.setInt(7, p.limit());
      ps.setInt(8, p.flow().maxRunning() != null ? 1 : 0);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          claimed.add(Rows.claimed(rs, p.token()));
        }
      }
    }
    return claimed;
  }

  /**
   * The claim of a queue with a per-key limit, a rate, fairness or aging, inside the write
   * transaction: read the settings afresh, claim what each key's room (counted from its rows
   * running with a live lease: a crashed process's slots come back when its leases expire) and the
   * rates allow, and advance the rates' TATs.
   */
  private static List<ClaimedJob> claimControlled(Connection c, ClaimParams p) throws SQLException {
    QueueSettings settings = null;
    try (PreparedStatement ps = c.prepareStatement(Sql.CLAIM_SETTINGS)) {
      ps.setString(1, p.queue());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          settings =
              QueueSettings.fromColumns(
                  rs.getString(1),
                  rs.getInt(2) != 0,
                  true,
                  Rows.nullableInt(rs, 4),
                  Rows.nullableInt(rs, 5),
                  Rows.nullableInt(rs, 6),
                  Rows.nullableLong(rs, 7),
                  rs.getInt(8) != 0,
                  rs.getInt(9) != 0,
                  Rows.nullableLong(rs, 10));
        }
      }
    }
    if (settings == null || !settings.options().claimedUnderLock()) {
      // This process's copy was stale: the queue's claims need no lock (any more).
      return settings != null && settings.paused() ? new ArrayList<>() : claimFree(c, p);
    }
    if (settings.paused()) {
      return new ArrayList<>();
    }
    QueueOptions o = settings.options();
    // Per-key slots and rates are measured on the clock leases are on.
    Instant leaseNow = LEASE_CLOCK.instant();
    long room = p.limit();
    long nowUs = Gcra.micros(leaseNow);
    boolean queueRate = o.rate() != null && !o.ratePerKey();
    if (queueRate && room > 0) {
      Long tat = null;
      try (PreparedStatement ps = c.prepareStatement(Sql.CLAIM_RATE_GET)) {
        ps.setString(1, p.queue());
        ps.setString(2, "");
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            tat = rs.getLong(1);
          }
        }
      }
      room = Math.min(room, Gcra.allowed(tat, nowUs, o.rate()));
    }
    List<ClaimedJob> claimed = new ArrayList<>();
    if (room <= 0) {
      return claimed;
    }
    List<Long> ids = new ArrayList<>();
    boolean inOrder =
        o.perKey() == null && !o.ratePerKey() && !o.interleavesKeys() && o.aging() == null;
    boolean onePerKey =
        o.perKey() != null && o.perKey() == 1 && !o.ratePerKey() && o.aging() == null;
    if (inOrder) {
      try (PreparedStatement ps = c.prepareStatement(Sql.CLAIM_CANDIDATES_IN_ORDER)) {
        ps.setString(1, p.queue());
        Rows.setInstant(ps, 2, p.now());
        ps.setString(3, Json.write(p.kinds()));
        ps.setLong(4, room);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
          }
        }
      }
    } else if (onePerKey) {
      candidatesOnePerKey(c, p, room, leaseNow, ids);
    } else {
      candidatesRanked(c, p, o, room, nowUs, leaseNow, ids);
    }
    Map<String, Integer> startsPerKey = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement(Sql.CLAIM_ID)) {
      for (long id : ids) {
        ps.setString(1, p.node());
        Rows.setInstant(ps, 2, LEASE_CLOCK.instant().plus(p.lease()));
        ps.setLong(3, p.token());
        Rows.setInstant(ps, 4, p.now());
        ps.setLong(5, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            claimed.add(Rows.claimed(rs, p.token()));
            String key = queueRate ? "" : rs.getString(12);
            startsPerKey.merge(key == null ? "" : key, 1, Integer::sum);
          }
        }
      }
    }
    if (o.rate() != null) {
      try (PreparedStatement ps = c.prepareStatement(Sql.CLAIM_RATE_ADVANCE)) {
        for (Map.Entry<String, Integer> e : startsPerKey.entrySet()) {
          ps.setString(1, p.queue());
          ps.setString(2, e.getKey());
          ps.setLong(3, nowUs);
          ps.setLong(4, e.getValue() * Gcra.intervalMicros(o.rate()));
          ps.executeUpdate();
        }
      }
    }
    return claimed;
  }

  /**
   * Candidates of a queue with a per-key limit of 1: the first runnable job of each key that runs
   * nothing, in claim order, read only as far as needed ({@code Sql.CLAIM_CANDIDATES_ONE_PER_KEY}).
   * A read filled up with further rows of keys already taken (one key's backlog ahead of the
   * others) is followed by another that leaves those keys out, so a key behind a backlog is reached
   * in the same claim.
   */
  private static void candidatesOnePerKey(
      Connection c, ClaimParams p, long room, Instant leaseNow, List<Long> ids)
      throws SQLException {
    Set<String> keys = new LinkedHashSet<>();
    List<Long> keyless = new ArrayList<>();
    long window = Math.min(room * 4 + 100, 10_000);
    boolean more = true;
    try (PreparedStatement ps = c.prepareStatement(Sql.CLAIM_CANDIDATES_ONE_PER_KEY)) {
      while (more && ids.size() < room) {
        ps.setString(1, p.queue());
        Rows.setInstant(ps, 2, p.now());
        ps.setString(3, Json.write(p.kinds()));
        ps.setLong(4, window);
        Rows.setInstant(ps, 5, leaseNow);
        ps.setString(6, Json.write(keys));
        ps.setString(7, Json.write(keyless));
        int read = 0;
        try (ResultSet rs = ps.executeQuery()) {
          while (ids.size() < room && rs.next()) {
            read++;
            String key = rs.getString(2);
            if (key == null) {
              keyless.add(rs.getLong(1));
              ids.add(rs.getLong(1));
            } else if (keys.add(key)) {
              ids.add(rs.getLong(1));
            }
          }
        }
        more = read == window;
      }
    }
  }

  /** Candidates ranked within their keys: per-key limits and rates, fair order, aging. */
  private static void candidatesRanked(
      Connection c,
      ClaimParams p,
      QueueOptions o,
      long room,
      long nowUs,
      Instant leaseNow,
      List<Long> ids)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(Sql.CLAIM_CANDIDATES)) {
      ps.setString(1, p.queue());
      Rows.setInstant(ps, 2, p.now());
      ps.setLong(3, nowUs);
      ps.setString(4, Json.write(p.kinds()));
      ps.setObject(5, o.perKey(), java.sql.Types.INTEGER);
      ps.setInt(6, o.ratePerKey() ? 1 : 0);
      ps.setLong(7, o.rate() == null ? 1 : Gcra.intervalMicros(o.rate()));
      ps.setLong(8, o.rate() == null ? 0 : Gcra.toleranceMicros(o.rate()));
      ps.setObject(9, o.aging() == null ? null : o.aging().toMillis(), java.sql.Types.BIGINT);
      ps.setInt(10, o.interleavesKeys() ? 1 : 0);
      ps.setLong(11, room);
      Rows.setInstant(ps, 12, leaseNow);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
  }

  /** Claim order (priority, run_at, id), which RETURNING does not keep. */
  private static final Comparator<ClaimedJob> CLAIM_ORDER =
      Comparator.comparingInt(ClaimedJob::priority)
          .thenComparing(ClaimedJob::runAt)
          .thenComparingLong(ClaimedJob::id);

  @Override
  public List<Long> jobCompleteMany(List<Completion> completions) {
    if (completions.isEmpty()) {
      return List.of();
    }
    Set<String> woken = new LinkedHashSet<>();
    List<Long> releasedIds = new ArrayList<>();
    List<Long> written =
        db.write(
            "completing " + completions.size() + " jobs",
            c -> {
              woken.clear();
              releasedIds.clear();
              List<Long> ids = new ArrayList<>();
              try (PreparedStatement ps = c.prepareStatement(Sql.COMPLETE)) {
                for (Completion done : completions) {
                  ps.setString(1, done.state().wireName());
                  // finished_at when the state is final or the job's cancellation was requested.
                  Rows.setInstant(ps, 2, done.at());
                  Rows.setInstant(ps, 3, done.runAt());
                  ps.setString(4, done.resultJson());
                  ps.setString(5, done.errorJson());
                  ps.setLong(6, done.id());
                  ps.setLong(7, done.token());
                  Rows.setInstant(ps, 8, done.leaseExpiredBefore());
                  ps.setString(9, done.progressJson());
                  ps.setString(10, done.failedItemsJson());
                  ps.setInt(11, done.refundAttempt() ? 1 : 0);
                  Rows.setInstant(ps, 12, done.startedAt());
                  if (ps.executeUpdate() == 1) {
                    ids.add(done.id());
                  }
                }
              }
              List<Long> endedSteps = new ArrayList<>();
              try (PreparedStatement ps = c.prepareStatement(Sql.ENDED_STEPS)) {
                ps.setString(1, Json.write(ids));
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    endedSteps.add(rs.getLong(1));
                  }
                }
              }
              release(c, endedSteps, completions.get(0).at(), releasedIds, woken);
              return ids;
            });
    changed(written);
    changed(releasedIds);
    wake(woken);
    return written;
  }

  /**
   * Releases or cancels the waiting dependents of {@code ended} (per their failure policy), then
   * those of the steps that cancelling ended, down the graph; in the caller's transaction. Adds the
   * jobs it changed to {@code changed} and the queues to wake to {@code woken}, for after the
   * commit.
   */
  private static void release(
      Connection c, List<Long> ended, Instant now, List<Long> changed, Set<String> woken)
      throws SQLException {
    List<Long> frontier = ended;
    while (!frontier.isEmpty()) {
      List<Long> dependents = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(Sql.WAITING_DEPENDENTS)) {
        ps.setString(1, Json.write(frontier));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            dependents.add(rs.getLong(1));
          }
        }
      }
      if (dependents.isEmpty()) {
        return;
      }
      frontier = cancelOrRelease(c, dependents, now, changed, woken);
    }
  }

  /**
   * Cancels (per their failure policy) or releases the waiting steps {@code waiting} whose
   * dependencies allow it; returns the ones it cancelled.
   */
  private static List<Long> cancelOrRelease(
      Connection c, List<Long> waiting, Instant now, List<Long> changed, Set<String> woken)
      throws SQLException {
    List<Long> cancelled = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(Sql.CANCEL_DEPENDENTS)) {
      ps.setLong(1, now.toEpochMilli());
      ps.setString(2, Json.write(waiting));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          cancelled.add(rs.getLong(1));
        }
      }
    }
    changed.addAll(cancelled);
    releaseOnly(c, waiting, now, changed, woken);
    return cancelled;
  }

  /** Releases those of the waiting steps {@code waiting} whose dependencies allow it. */
  private static void releaseOnly(
      Connection c, List<Long> waiting, Instant now, List<Long> changed, Set<String> woken)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(Sql.RELEASE_DEPENDENTS)) {
      ps.setLong(1, now.toEpochMilli());
      ps.setString(2, Json.write(waiting));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          changed.add(rs.getLong(1));
          woken.add(rs.getString(2));
        }
      }
    }
  }

  /**
   * Steps run again (retried or replayed) wait again for their dependencies (released at once when
   * those have all succeeded), and the dependents their failure cancelled wait for them.
   */
  private static void rearm(
      Connection c, List<Long> steps, Instant now, List<Long> changed, Set<String> woken)
      throws SQLException {
    if (steps.isEmpty()) {
      return;
    }
    List<Long> waiting = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(Sql.WAIT_IF_DEPENDENCIES)) {
      ps.setString(1, Json.write(steps));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          waiting.add(rs.getLong(1));
        }
      }
    }
    if (!waiting.isEmpty()) {
      releaseOnly(c, waiting, now, changed, woken);
    }
    rearmDependents(c, steps, now);
  }

  /** Re-arms, down the graph, the dependents that the failure of step {@code id} cancelled. */
  private static void rearmDependents(Connection c, List<Long> ids, Instant now)
      throws SQLException {
    List<Long> frontier = ids;
    while (!frontier.isEmpty()) {
      List<Long> rearmed = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(Sql.REARM_DEPENDENTS)) {
        ps.setLong(1, now.toEpochMilli());
        ps.setString(2, Json.write(frontier));
        rearmed.addAll(JdbcRows.ids(ps));
      }
      frontier = rearmed;
    }
  }

  @Override
  public List<Long> jobProgressMany(List<ProgressUpdate> updates) {
    if (updates.isEmpty()) {
      return List.of();
    }
    List<Long> written =
        db.write(
            "writing the progress of " + updates.size() + " jobs",
            c -> {
              List<Long> ids = new ArrayList<>();
              try (PreparedStatement ps = c.prepareStatement(Sql.PROGRESS)) {
                for (ProgressUpdate u : updates) {
                  ps.setString(1, u.progressJson());
                  ps.setLong(2, u.id());
                  ps.setLong(3, u.token());
                  if (ps.executeUpdate() == 1) {
                    ids.add(u.id());
                  }
                }
              }
              return ids;
            });
    changed(written);
    return written;
  }

  @Override
  public List<Long> jobStartMany(List<JobStart> starts) {
    if (starts.isEmpty()) {
      return List.of();
    }
    return db.write(
        "writing the starts of " + starts.size() + " jobs",
        c -> {
          List<Long> ids = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(Sql.START)) {
            for (JobStart s : starts) {
              Rows.setInstant(ps, 1, s.at());
              ps.setLong(2, s.id());
              ps.setLong(3, s.token());
              if (ps.executeUpdate() == 1) {
                ids.add(s.id());
              }
            }
          }
          return ids;
        });
  }

  @Override
  public boolean jobCheckpoint(long id, long token, String checkpointJson, String failedItemsJson) {
    boolean written =
        db.write(
            "writing the checkpoint of job " + id,
            c -> {
              try (PreparedStatement ps = c.prepareStatement(Sql.CHECKPOINT)) {
                ps.setString(1, checkpointJson);
                ps.setString(2, failedItemsJson);
                ps.setLong(3, id);
                ps.setLong(4, token);
                return ps.executeUpdate() == 1;
              }
            });
    if (written) {
      changed(List.of(id));
    }
    return written;
  }

  @Override
  public List<String> jobRecentProgress(String kind, int limit) {
    return db.read(
        "reading earlier progress of kind '" + kind + "'",
        c -> {
          List<String> out = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(Sql.RECENT_PROGRESS)) {
            ps.setString(1, kind);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(rs.getString(1));
              }
            }
          }
          return out;
        });
  }

  /** Tells this JVM's watchers which jobs changed, 500 ids a notification as on PostgreSQL. */
  private void changed(List<Long> ids) {
    for (int from = 0; from < ids.size(); from += 500) {
      List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
      notifier.publish(
          Notifier.JOB,
          chunk.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
    }
  }

  @Override
  public Heartbeat jobHeartbeat(String node, Collection<LeasedJob> leases, Duration lease) {
    if (leases.isEmpty()) {
      return Heartbeat.none();
    }
    return db.write(
        "extending the leases of node " + node,
        c -> {
          List<LeasedJob> renewed = new ArrayList<>();
          List<Long> cancelRequested = new ArrayList<>();
          Instant expires = LEASE_CLOCK.instant().plus(lease);
          try (PreparedStatement ps = c.prepareStatement(Sql.HEARTBEAT)) {
            for (LeasedJob held : leases) {
              Rows.setInstant(ps, 1, expires);
              ps.setString(2, node);
              ps.setLong(3, held.id());
              ps.setLong(4, held.token());
              try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                  renewed.add(new LeasedJob(rs.getLong(1), rs.getLong(2)));
                  if (rs.getBoolean(3)) {
                    cancelRequested.add(rs.getLong(1));
                  }
                }
              }
            }
          }
          return new Heartbeat(renewed, cancelRequested);
        });
  }

  @Override
  public int jobReleaseMany(List<LeasedJob> jobs, Instant now) {
    if (jobs.isEmpty()) {
      return 0;
    }
    Released released =
        db.write(
            "releasing " + jobs.size() + " jobs",
            c -> {
              int count = 0;
              Set<String> queues = new LinkedHashSet<>();
              try (PreparedStatement ps = c.prepareStatement(Sql.RELEASE)) {
                for (LeasedJob job : jobs) {
                  Rows.setInstant(ps, 1, now);
                  ps.setLong(2, job.id());
                  ps.setLong(3, job.token());
                  try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                      count++;
                      queues.add(rs.getString(1));
                    }
                  }
                }
              }
              return new Released(count, queues);
            });
    wake(released.queues());
    return released.count();
  }

  private record Released(int count, Set<String> queues) {}

  @Override
  public List<StuckJob> jobGetStuck(int limit) {
    return db.read(
        "reading jobs with expired leases",
        c -> {
          List<StuckJob> stuck = new ArrayList<>();
          Instant now = LEASE_CLOCK.instant();
          try (PreparedStatement ps = c.prepareStatement(Sql.GET_STUCK)) {
            Rows.setInstant(ps, 1, now);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                stuck.add(JdbcRows.stuck(rs, now));
              }
            }
          }
          return stuck;
        });
  }

  @Override
  public Optional<Job> jobGet(long id) {
    return db.read(
        "reading job " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.GET)) {
            ps.setLong(1, id);
            return ROWS.optionalJob(ps);
          }
        });
  }

  @Override
  public JobPage jobList(JobQuery q) {
    List<Object> params = new ArrayList<>();
    String sql =
        "SELECT "
            + Sql.listColumns(q.includes(JobQuery.Field.ARGS), q.includes(JobQuery.Field.RESULT))
            + "\nFROM offload_jobs\nWHERE id < ?"
            + ROWS.listWhere(q, Sql.FILTERS, params)
            + Sql.LIST_ORDER;
    return db.read(
        "listing jobs",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
              return ROWS.page(rs, q);
            }
          }
        });
  }

  /** The clauses of {@code filter} for {@link Sql#LIST}, replay and purge; appends their values. */
  private static String where(JobFilter filter, List<Object> params) {
    return ROWS.where(filter, Sql.FILTERS, params);
  }

  @Override
  public Optional<JobState> jobCancel(long id, Instant now) {
    Optional<JobState> had =
        act(
            id,
            JobAction.CANCEL,
            (c, row, changedIds, woken) -> {
              if (row.state() == JobState.RUNNING) {
                update(c, Sql.CANCEL_RUNNING, now.toEpochMilli(), id);
              } else {
                update(c, Sql.CANCEL_PENDING, now.toEpochMilli(), now.toEpochMilli(), id);
                release(c, List.of(id), now, changedIds, woken);
              }
            });
    if (had.isPresent() && JobAction.CANCEL.allows(had.get())) {
      notifier.publish(
          had.get() == JobState.RUNNING ? Notifier.CANCEL : Notifier.JOB, Long.toString(id));
    }
    return had;
  }

  @Override
  public Optional<JobState> jobRetry(long id, Instant now) {
    Optional<JobState> had =
        act(
            id,
            JobAction.RETRY,
            (c, row, changedIds, woken) -> {
              // A finished job starts over with fresh attempts; a waiting one just runs now.
              update(
                  c, row.state().isFinal() ? Sql.RETRY_FRESH : Sql.RUN_NOW, now.toEpochMilli(), id);
              if (row.state().isFinal()) {
                rearm(c, List.of(id), now, changedIds, woken);
              }
              woken.add(row.queue());
            });
    if (had.isPresent() && JobAction.RETRY.allows(had.get())) {
      notifier.publish(Notifier.JOB, Long.toString(id));
    }
    return had;
  }

  /** A change to one job in the write transaction that read its row. */
  private interface JobChange {
    /** Makes the change; adds the jobs it changed besides this one, and the queues to wake. */
    void apply(Connection c, Row row, List<Long> changedIds, Set<String> woken) throws SQLException;
  }

  /**
   * Reads job {@code id} and, when {@code action} may start from its state, makes {@code change} in
   * the same write transaction; after the commit, announces the jobs it changed and wakes the
   * queues it named.
   *
   * @return the state the job had, or empty when there is no such job
   */
  private Optional<JobState> act(long id, JobAction action, JobChange change) {
    String what = JdbcRows.doing(action, id);
    List<Long> changedIds = new ArrayList<>();
    Set<String> woken = new LinkedHashSet<>();
    Optional<Row> had =
        db.write(
            what,
            c -> {
              changedIds.clear();
              woken.clear();
              Optional<Row> row = row(c, id);
              if (row.isPresent() && action.allows(row.get().state())) {
                change.apply(c, row.get(), changedIds, woken);
              }
              return row;
            });
    changed(changedIds);
    wake(woken);
    return had.map(Row::state);
  }

  @Override
  public Optional<JobState> jobDelete(long id) {
    return act(
        id,
        JobAction.DELETE,
        (c, row, changedIds, woken) -> {
          JdbcRows.refuseIfDependedOn(c, Sql.UNFINISHED_DEPENDENTS, id);
          update(c, Sql.DELETE, id);
        });
  }

  @Override
  public int jobReplayMany(JobFilter filter, Instant now) {
    List<Object> params = new ArrayList<>();
    params.add(now.toEpochMilli());
    String sql = Sql.REPLAY_MANY + where(filter, params) + Sql.REPLAY_MANY_RETURNING;
    Released replayed =
        db.write(
            "replaying jobs",
            c -> {
              int count = 0;
              Set<String> queues = new LinkedHashSet<>();
              List<Long> steps = new ArrayList<>();
              try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    count++;
                    queues.add(rs.getString(1));
                    if (rs.getBoolean(3)) {
                      steps.add(rs.getLong(2));
                    }
                  }
                }
              }
              // Replayed workflow steps wait again for their dependencies and re-arm their
              // dependents, as a retry of each would.
              rearm(c, steps, now, new ArrayList<>(), queues);
              return new Released(count, queues);
            });
    wake(replayed.queues());
    return replayed.count();
  }

  @Override
  public int jobDeleteMany(JobFilter filter) {
    List<Object> params = new ArrayList<>();
    String sql = Sql.DELETE_MANY + where(filter, params);
    return db.write(
        "purging jobs",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public int jobPrune(JobState state, Instant before, int limit) {
    return db.write(
        "pruning " + state.wireName() + " jobs",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.PRUNE)) {
            ps.setString(1, state.wireName());
            Rows.setInstant(ps, 2, before);
            ps.setInt(3, limit);
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public List<QueueStats> queueStats(Instant now) {
    return db.read(
        "reading queue statistics",
        c -> {
          Map<String, QueueFigures> queues = new TreeMap<>();
          try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_COUNTS);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              figures(queues, rs.getString(1))
                  .counts()
                  .put(JobState.fromWire(rs.getString(2)), rs.getLong(3));
            }
          }
          Map<String, Long> claimed = new java.util.HashMap<>();
          try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_CLAIMED);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              claimed.put(rs.getString(1), rs.getLong(2));
            }
          }
          try (PreparedStatement ps = c.prepareStatement(Sql.QUEUES_PAUSED);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              figures(queues, rs.getString(1)).paused()[0] = rs.getInt(2) != 0;
            }
          }
          try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_LAST_MINUTE)) {
            Rows.setInstant(ps, 1, now.minusSeconds(60));
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                QueueFigures f = figures(queues, rs.getString(1));
                f.finished()[0]++;
                long latency = rs.getLong(2);
                if (!rs.wasNull()) {
                  f.latencies().add(latency);
                }
                long run = rs.getLong(3);
                if (!rs.wasNull()) {
                  f.runs().add(run);
                }
              }
            }
          }
          List<QueueStats> out = new ArrayList<>(queues.size());
          queues.forEach((name, f) ->
              out.add(
                  new QueueStats(
                      name,
                      f.paused()[0],
                      f.counts(),
                      claimed.getOrDefault(name, 0L),
                      f.finished()[0],
                      median(f.latencies()),
                      median(f.runs()),
                      QueueStats.Flow.none())));
          return out;
        });
  }

  /** What {@link #queueStats} gathers of one queue. */
  private record QueueFigures(
      Map<JobState, Long> counts,
      boolean[] paused,
      long[] finished,
      List<Long> latencies,
      List<Long> runs) {}

  private static QueueFigures figures(Map<String, QueueFigures> queues, String queue) {
    return queues.computeIfAbsent(
        queue,
        q ->
            new QueueFigures(
                new EnumMap<>(JobState.class),
                new boolean[1],
                new long[1],
                new ArrayList<>(),
                new ArrayList<>()));
  }

  /** The median as PostgreSQL's {@code percentile_cont(0.5)} gives it, to 0.1; null when empty. */
  private static Double median(List<Long> values) {
    if (values.isEmpty()) {
      return null;
    }
    List<Long> sorted = values.stream().sorted().toList();
    return round(percentile(sorted, 0.5));
  }

  /** {@code percentile_cont(p)} of ascending {@code sorted}: interpolated between neighbours. */
  private static double percentile(List<Long> sorted, double p) {
    double position = p * (sorted.size() - 1);
    int lower = (int) Math.floor(position);
    int upper = (int) Math.ceil(position);
    double fraction = position - lower;
    return sorted.get(lower) + fraction * (sorted.get(upper) - sorted.get(lower));
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  @Override
  public List<QueueSettings> queueSettingsList() {
    return db.read(
        "reading queue settings",
        c -> {
          List<QueueSettings> out = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_SETTINGS_LIST);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(JdbcRows.queueSettings(rs));
            }
          }
          return out;
        });
  }

  @Override
  public QueueFlow queueFlow(String queue, QueueOptions o, String key, Instant now) {
    return db.read(
        "reading the flow control of queue '" + queue + "'",
        c -> {
          Instant leaseNow = LEASE_CLOCK.instant();
          try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_FLOW)) {
            ps.setString(1, queue);
            Rows.setInstant(ps, 2, now);
            ps.setObject(3, o.perKey(), java.sql.Types.INTEGER);
            ps.setInt(4, o.ratePerKey() ? 1 : 0);
            ps.setLong(5, o.rate() == null ? 0 : Gcra.toleranceMicros(o.rate()));
            ps.setString(6, key);
            Rows.setInstant(ps, 7, leaseNow);
            ps.setLong(8, Gcra.micros(leaseNow));
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return JdbcRows.queueFlow(rs);
            }
          }
        });
  }

  @Override
  public SlotGrant queueSlots(SlotRequest r) {
    return db.write(
        "leasing slots of queue '" + r.queue() + "'",
        c -> {
          long nowUs = Gcra.micros(LEASE_CLOCK.instant());
          Integer maxRunning = null;
          try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_SLOTS_LIMIT)) {
            ps.setString(1, r.queue());
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next()) {
                maxRunning = Rows.nullableInt(rs, 1);
              }
            }
          }
          List<QueueSlots.Lease> others = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_SLOTS_OTHERS)) {
            ps.setString(1, r.queue());
            ps.setString(2, r.node());
            ps.setLong(3, nowUs);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                others.add(new QueueSlots.Lease(rs.getString(1), rs.getInt(2), rs.getInt(3)));
              }
            }
          }
          try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_SLOTS_LAPSED)) {
            ps.setString(1, r.queue());
            ps.setLong(2, nowUs);
            ps.executeUpdate();
          }
          int allowed =
              maxRunning == null ? 0 : QueueSlots.allowed(maxRunning, r.node(), r.wanted(), others);
          int held = QueueSlots.held(allowed, r.bound());
          if (maxRunning == null || (held == 0 && r.wanted() == 0)) {
            releaseSlots(c, r.queue(), r.node());
          } else {
            try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_SLOTS_WRITE)) {
              ps.setString(1, r.queue());
              ps.setString(2, r.node());
              ps.setInt(3, held);
              ps.setInt(4, r.wanted());
              ps.setLong(5, nowUs + r.lease().toNanos() / 1_000);
              ps.executeUpdate();
            }
          }
          return new SlotGrant(allowed, maxRunning);
        });
  }

  @Override
  public void queueSlotsRelease(String queue, String node) {
    db.write(
        "releasing slots of queue '" + queue + "'",
        c -> {
          releaseSlots(c, queue, node);
          return null;
        });
  }

  private static void releaseSlots(Connection c, String queue, String node) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_SLOTS_RELEASE)) {
      ps.setString(1, queue);
      ps.setString(2, node);
      ps.executeUpdate();
    }
  }

  @Override
  public boolean queueSettingsPut(String queue, QueueOptions o, boolean onlyIfUnconfigured) {
    boolean written =
        db.write(
            "writing the settings of queue '" + queue + "'",
            c -> {
              try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_SETTINGS_PUT)) {
                ps.setString(1, queue);
                ps.setLong(2, System.currentTimeMillis());
                ps.setObject(3, o.maxRunning(), java.sql.Types.INTEGER);
                ps.setObject(4, o.perKey(), java.sql.Types.INTEGER);
                ps.setObject(5, o.rate() == null ? null : o.rate().count(), java.sql.Types.INTEGER);
                ps.setObject(
                    6,
                    o.rate() == null ? null : o.rate().period().toMillis(),
                    java.sql.Types.BIGINT);
                ps.setInt(7, o.ratePerKey() ? 1 : 0);
                ps.setInt(8, o.fair() ? 1 : 0);
                ps.setObject(
                    9, o.aging() == null ? null : o.aging().toMillis(), java.sql.Types.BIGINT);
                ps.setInt(10, onlyIfUnconfigured ? 1 : 0);
                QueueOptions.Push push = o.push();
                ps.setString(11, push == null ? null : push.url().toString());
                ps.setObject(
                    12, push == null ? null : push.timeout().toMillis(), java.sql.Types.BIGINT);
                ps.setString(13, push == null ? null : push.secretEnv());
                ps.setInt(14, push != null && push.allowHttp() ? 1 : 0);
                if (ps.executeUpdate() != 1) {
                  return false;
                }
              }
              update(c, Sql.QUEUE_RATES_RESET, queue);
              return true;
            });
    if (written) {
      // Looser limits may let waiting jobs run: wake the queue's workers.
      wake(List.of(queue));
    }
    return written;
  }

  @Override
  public void queuePause(String queue, boolean paused) {
    db.write(
        (paused ? "pausing" : "resuming") + " queue '" + queue + "'",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.QUEUE_PAUSE)) {
            ps.setString(1, queue);
            ps.setInt(2, paused ? 1 : 0);
            ps.setLong(3, System.currentTimeMillis());
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public List<KindStats> kindStats(Instant since, long budgetMs) {
    record Times(List<Long> whole, List<Long> waits) {}
    Map<String, Times> byKind =
        db.read(
            "reading run times per kind",
            c -> {
              Map<String, Times> times = new TreeMap<>();
              try (PreparedStatement ps = c.prepareStatement(Sql.KIND_RUN_TIMES)) {
                Rows.setInstant(ps, 1, since);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    Times t =
                        times.computeIfAbsent(
                            rs.getString(1), k -> new Times(new ArrayList<>(), new ArrayList<>()));
                    t.whole().add(rs.getLong(2));
                    long wait = rs.getLong(3);
                    if (!rs.wasNull()) {
                      t.waits().add(wait);
                    }
                  }
                }
              }
              return times;
            });
    List<KindStats> out = new ArrayList<>(byKind.size());
    // Percentiles as PostgreSQL's percentile_cont (which skips nulls, as the waits here do).
    byKind.forEach((kind, t) -> {
      List<Long> ms = t.whole().stream().sorted().toList();
      List<Long> waits = t.waits().stream().sorted().toList();
      double p95 = round(percentile(ms, 0.95));
      out.add(
          new KindStats(
              kind,
              ms.size(),
              round(percentile(ms, 0.5)),
              p95,
              round(ms.get(ms.size() - 1)),
              budgetMs,
              KindStats.advice(p95, budgetMs),
              waits.isEmpty() ? 0 : round(percentile(waits, 0.5)),
              waits.isEmpty() ? 0 : round(percentile(waits, 0.95))));
    });
    return out;
  }

  /** A job's state and queue as a write transaction read them. */
  private record Row(JobState state, String queue) {}

  private static Optional<Row> row(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(Sql.JOB_STATE)) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new Row(JobState.fromWire(rs.getString(1)), rs.getString(2)))
            : Optional.empty();
      }
    }
  }

  @Override
  public void kindAnnounce(Collection<String> kinds, Instant now) {
    if (kinds.isEmpty()) {
      return;
    }
    db.write(
        "announcing kinds " + kinds,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.KIND_ANNOUNCE)) {
            Rows.setInstant(ps, 1, now);
            ps.setString(2, Json.write(kinds));
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public boolean kindKnown(String kind) {
    return db.read(
        "looking up kind '" + kind + "'",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.KIND_KNOWN)) {
            ps.setString(1, kind);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next();
            }
          }
        });
  }

  @Override
  public Optional<LeasedJob> jobRunningLease(long id) {
    return db.read(
        "reading the lease of job " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.JOB_RUNNING_LEASE)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(new LeasedJob(id, rs.getLong(1))) : Optional.empty();
            }
          }
        });
  }

  // ---------------------------------------------------------------- schedules

  @Override
  public boolean scheduleSave(ScheduleRecord s, boolean replace) {
    return db.write(
        "saving schedule '" + s.name() + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(replace ? Sql.SCHEDULE_UPSERT : Sql.SCHEDULE_INSERT)) {
            ROWS.bindSchedule(ps, s);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public List<ScheduleRecord> scheduleList() {
    return db.read(
        "listing schedules",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.SCHEDULE_LIST)) {
            return ROWS.schedules(ps);
          }
        });
  }

  @Override
  public Optional<ScheduleRecord> scheduleGet(String name) {
    return db.read(
        "reading schedule '" + name + "'",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.SCHEDULE_GET)) {
            ps.setString(1, name);
            return ROWS.schedules(ps).stream().findFirst();
          }
        });
  }

  @Override
  public boolean scheduleDelete(String name) {
    return db.write(
        "deleting schedule '" + name + "'",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.SCHEDULE_DELETE)) {
            ps.setString(1, name);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public boolean schedulePause(String name, boolean paused, Instant now) {
    return db.write(
        (paused ? "pausing" : "resuming") + " schedule '" + name + "'",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.SCHEDULE_PAUSE)) {
            ps.setInt(1, paused ? 1 : 0);
            ps.setLong(2, now.toEpochMilli());
            ps.setString(3, name);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public int scheduleDisableUndeclared(Collection<String> declared) {
    return db.write(
        "disabling schedules no longer declared",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.SCHEDULE_DISABLE_UNDECLARED)) {
            ps.setString(1, Json.write(declared));
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public Optional<List<Long>> scheduleFire(String name, Instant tick, List<JobInsert> jobs) {
    Optional<List<Long>> ids =
        db.write(
            "firing schedule '" + name + "' at " + tick,
            c -> {
              try (PreparedStatement ps = c.prepareStatement(Sql.SCHEDULE_ADVANCE)) {
                ps.setLong(1, tick.toEpochMilli());
                ps.setString(2, name);
                if (ps.executeUpdate() == 0) {
                  return Optional.<List<Long>>empty();
                }
              }
              return Optional.of(
                  jobs.isEmpty()
                      ? List.<Long>of()
                      : insert(c, jobs).stream().map(InsertResult::id).toList());
            });
    if (ids.isPresent()) {
      Set<String> queues = new LinkedHashSet<>();
      jobs.forEach(j -> queues.add(j.queue()));
      wake(queues);
    }
    return ids;
  }

  // ---------------------------------------------------------------- workflows

  @Override
  public long workflowInsert(WorkflowInsert w) {
    Set<String> woken = new LinkedHashSet<>();
    long id =
        db.write(
            "inserting workflow '" + w.name() + "' of " + w.steps().size() + " steps",
            c -> {
              woken.clear();
              long workflowId;
              try (PreparedStatement ps = c.prepareStatement(Sql.WORKFLOW_INSERT)) {
                ps.setString(1, w.name());
                ps.setLong(2, w.createdAt().toEpochMilli());
                ps.setInt(3, w.batch() ? 1 : 0);
                try (ResultSet rs = ps.executeQuery()) {
                  rs.next();
                  workflowId = rs.getLong(1);
                }
              }
              List<Long> ids = new ArrayList<>();
              try (PreparedStatement ps = c.prepareStatement(Sql.WORKFLOW_STEP_INSERT)) {
                for (WorkflowInsert.Step st : w.steps()) {
                  JobInsert j = st.job();
                  String state =
                      st.after().isEmpty() ? j.state().wireName() : JobState.WAITING.wireName();
                  ROWS.bindStep(ps, j, state, workflowId, st.name(), st.onFailure());
                  try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    ids.add(rs.getLong(1));
                  }
                  if (st.after().isEmpty()) {
                    woken.add(j.queue());
                  }
                }
              }
              try (PreparedStatement ps = c.prepareStatement(Sql.WORKFLOW_DEP_INSERT)) {
                for (int i = 0; i < w.steps().size(); i++) {
                  for (int dep : w.steps().get(i).after()) {
                    ps.setLong(1, ids.get(i));
                    ps.setLong(2, ids.get(dep));
                    ps.executeUpdate();
                  }
                }
              }
              for (int i = 0; i < w.steps().size(); i++) {
                for (String group : w.steps().get(i).groups()) {
                  update(c, Sql.WORKFLOW_GROUP_INSERT, workflowId, ids.get(i), group + "/");
                }
              }
              return workflowId;
            });
    wake(woken);
    return id;
  }

  @Override
  public List<Long> workflowAddSteps(
      long parentJobId, Instant now, List<WorkflowInsert.Added> steps) {
    Set<String> woken = new LinkedHashSet<>();
    List<Long> changedIds = new ArrayList<>();
    List<Long> added =
        db.write(
            "adding " + steps.size() + " steps to the workflow of job " + parentJobId,
            c -> {
              woken.clear();
              changedIds.clear();
              AddedSteps.Added a = ADDED_STEPS.add(c, parentJobId, steps);
              woken.addAll(a.readyQueues());
              if (!a.waiting().isEmpty()) {
                release(
                    c,
                    cancelOrRelease(c, a.waiting(), now, changedIds, woken),
                    now,
                    changedIds,
                    woken);
              }
              changedIds.addAll(a.ids());
              return a.ids();
            });
    changed(changedIds);
    wake(woken);
    return added;
  }

  @Override
  public Optional<WorkflowRecord> workflowGet(long id) {
    return db.read(
        "reading workflow " + id,
        c -> {
          String name;
          Instant createdAt;
          Instant cancelledAt;
          try (PreparedStatement ps = c.prepareStatement(Sql.WORKFLOW_GET)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              name = rs.getString(2);
              createdAt = ROWS.instant(rs, 3);
              cancelledAt = ROWS.instant(rs, 4);
            }
          }
          List<WorkflowRecord.Step> steps = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(Sql.WORKFLOW_STEPS)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                List<String> after = new ArrayList<>();
                Json.tree(rs.getString(9)).forEach(n -> after.add(n.asText()));
                steps.add(ROWS.workflowStep(rs, after));
              }
            }
          }
          return Optional.of(new WorkflowRecord(id, name, createdAt, cancelledAt, steps));
        });
  }

  @Override
  public Optional<String> workflowStepResult(long jobId, String step) {
    return db.read(
        "reading the result of step '" + step + "'",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.WORKFLOW_STEP_RESULT)) {
            ps.setString(1, step);
            ps.setLong(2, jobId);
            return JdbcRows.optionalString(ps);
          }
        });
  }

  @Override
  public boolean workflowCancel(long id, Instant now) {
    List<Long> running = new ArrayList<>();
    boolean found =
        db.write(
            "cancelling workflow " + id,
            c -> {
              running.clear();
              try (PreparedStatement ps = c.prepareStatement(Sql.WORKFLOW_MARK_CANCELLED)) {
                ps.setLong(1, now.toEpochMilli());
                ps.setLong(2, id);
                if (ps.executeUpdate() == 0) {
                  return false;
                }
              }
              update(c, Sql.WORKFLOW_CANCEL_PENDING, now.toEpochMilli(), now.toEpochMilli(), id);
              try (PreparedStatement ps = c.prepareStatement(Sql.WORKFLOW_CANCEL_RUNNING)) {
                ps.setLong(1, now.toEpochMilli());
                ps.setLong(2, id);
                running.addAll(JdbcRows.ids(ps));
              }
              return true;
            });
    running.forEach(r -> notifier.publish(Notifier.CANCEL, Long.toString(r)));
    return found;
  }

  @Override
  public boolean workflowRetry(long id, Instant now) {
    Set<String> woken = new LinkedHashSet<>();
    boolean found =
        db.write(
            "retrying workflow " + id,
            c -> {
              woken.clear();
              try (PreparedStatement ps = c.prepareStatement(Sql.WORKFLOW_UNMARK_CANCELLED)) {
                ps.setLong(1, id);
                if (ps.executeUpdate() == 0) {
                  return false;
                }
              }
              update(c, Sql.WORKFLOW_REARM, now.toEpochMilli(), id);
              try (PreparedStatement ps = c.prepareStatement(Sql.RELEASE_WORKFLOW)) {
                ps.setLong(1, now.toEpochMilli());
                ps.setLong(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    woken.add(rs.getString(2));
                  }
                }
              }
              return true;
            });
    wake(woken);
    return found;
  }

  @Override
  public boolean leaderAttemptElect(String node, Duration ttl, Instant now) {
    return db.write(
        "electing a leader",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.LEADER_ATTEMPT_ELECT)) {
            ps.setString(1, node);
            Rows.setInstant(ps, 2, now.plus(ttl));
            Rows.setInstant(ps, 3, now);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next();
            }
          }
        });
  }

  @Override
  public void leaderResign(String node) {
    db.write(
        "resigning the leadership of node " + node,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(Sql.LEADER_RESIGN)) {
            ps.setString(1, node);
            return ps.executeUpdate();
          }
        });
  }

  private void wake(Collection<String> queues) {
    for (String queue : queues) {
      notifier.publish(Notifier.INSERT, queue);
    }
  }

  /** In-process only: other processes on the same file find new jobs by polling. */
  @Override
  public Notifier notifier() {
    return notifier;
  }

  @Override
  public boolean supportsListenNotify() {
    return false;
  }

  @Override
  public String describe() {
    return db.description();
  }

  @Override
  public void close() {
    notifier.close();
    db.close();
  }

  @Override
  public String toString() {
    return "SqliteStore[" + describe() + "]";
  }
}
