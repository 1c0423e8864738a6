package dev.offload.postgres;

import static dev.offload.store.jdbc.JdbcRows.bind;
import static dev.offload.store.jdbc.JdbcRows.ids;
import static dev.offload.store.jdbc.JdbcRows.update;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.offload.Job;
import dev.offload.Job.JobFilter;
import dev.offload.Job.JobPage;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Offload.KindStats;
import dev.offload.Offload.QueueStats;
import dev.offload.OffloadException;
import dev.offload.QueueOptions;
import dev.offload.store.Store;
import dev.offload.store.Store.ClaimParams;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.Completion;
import dev.offload.store.Store.Gcra;
import dev.offload.store.Store.Heartbeat;
import dev.offload.store.Store.InsertResult;
import dev.offload.store.Store.InsertedThenClaimed;
import dev.offload.store.Store.JobAction;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.JobStart;
import dev.offload.store.Store.LeasedJob;
import dev.offload.store.Store.Notifier;
import dev.offload.store.Store.ProgressUpdate;
import dev.offload.store.Store.QueueFlow;
import dev.offload.store.Store.QueueSettings;
import dev.offload.store.Store.RejectedWriteException;
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
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The production store: jobs in PostgreSQL, claimed with {@code FOR UPDATE SKIP LOCKED}, workers
 * woken by LISTEN/NOTIFY, the leader elected with an advisory lock. Every table lives in one schema
 * (default {@code offload}), so several Offload installations can share a database.
 *
 * <pre>{@code
 * Store store = PostgresStore.create(dataSource);                 // your pool, schema "offload"
 * Store store = PostgresStore.connect("postgresql://app@db:5432/app");  // its own HikariCP pool
 * }</pre>
 *
 * <p>It holds two connections of its own besides those it borrows per statement: one listening for
 * notifications and one holding the leader lock while this node leads. Thread-safe.
 */
public final class PostgresStore implements Store {
  public static final String DEFAULT_SCHEMA = "offload";
  private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  // Counter rows (job_counts) past which queueStats folds those of departed backends into one.
  private static final long COUNTER_ROWS_KEPT = 256;
  // Rows read alike on both stores; a time is a timestamptz here.
  private static final JdbcRows ROWS =
      new JdbcRows() {
        @Override
        public Instant instant(ResultSet rs, int column) throws SQLException {
          return PostgresStore.instant(rs, column);
        }

        @Override
        protected Object timeParameter(Instant t) {
          return Timestamp.from(t);
        }
      };

  private final DataSource dataSource;
  private final HikariDataSource ownedPool;
  private final String schema;
  private final String description;
  private final Sql sql;
  private final PgNotifier notifier;
  private final PgLeader leader;
  private final Migrations migrations;
  private final AddedSteps addedSteps;

  private PostgresStore(
      DataSource dataSource, HikariDataSource ownedPool, String schema, String description) {
    if (!SCHEMA.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "schema must be lower-case letters, digits and '_' (at most 63, not starting with a digit), got '"
              + schema
              + "'");
    }
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.schema = schema;
    this.description = description + " (schema " + schema + ")";
    this.sql = new Sql(schema, channel(Notifier.INSERT), channel(Notifier.JOB));
    this.notifier = new PgNotifier(dataSource, schema, this.description);
    this.leader = new PgLeader(dataSource, schema);
    this.migrations = new Migrations(dataSource, schema);
    this.addedSteps = addedSteps(sql);
  }

  private static AddedSteps addedSteps(Sql sql) {
    return new AddedSteps(
        ROWS,
        new AddedSteps.Statements(
            sql.lockAddingStep,
            sql.stepByName,
            sql.addedStepInsert,
            sql.depInsert,
            sql.lockGroupJoins,
            sql.dependsOnAny)) {
      @Override
      protected void bindIds(PreparedStatement ps, int index, List<Long> ids) throws SQLException {
        ps.setArray(index, ps.getConnection().createArrayOf("int8", ids.toArray()));
      }

      @Override
      protected void joinGroup(Connection c, long workflowId, long jobId, String prefix)
          throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.workflowGroupsInsert)) {
          ps.setLong(1, workflowId);
          ps.setArray(2, c.createArrayOf("int8", new Long[] {jobId}));
          ps.setArray(3, c.createArrayOf("text", new String[] {prefix}));
          ps.executeUpdate();
        }
        update(c, sql.groupMembersDeps, jobId, workflowId, prefix, prefix, jobId);
      }
    };
  }

  /**
   * A store over the caller's pool, in schema {@code offload}. The caller closes the pool, which
   * must have room for the two connections the store keeps (listener, leader lock).
   */
  public static PostgresStore create(DataSource dataSource) {
    return create(dataSource, DEFAULT_SCHEMA);
  }

  /** A store over the caller's pool, in {@code schema}. The caller closes the pool. */
  public static PostgresStore create(DataSource dataSource, String schema) {
    return new PostgresStore(dataSource, null, schema, "postgresql");
  }

  /**
   * A store with its own HikariCP pool: 10 connections for statements plus the two it keeps for
   * itself (listener, leader lock). Takes {@code postgresql://user:password@host:port/db} or {@code
   * jdbc:postgresql://...}; a {@code currentSchema} parameter picks the schema (default {@code
   * offload}).
   */
  public static PostgresStore connect(String url) {
    return connect(url, 10);
  }

  /** A store with its own pool of {@code poolSize} connections for statements, plus its own two. */
  public static PostgresStore connect(String url, int poolSize) {
    return connect(url, poolSize, DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * As {@link #connect(String, int)}, giving up on a connection after {@code connectTimeout}: the
   * time one connection attempt may take (TCP connect, TLS and authentication; a {@code
   * loginTimeout} in the URL wins) and, half a second more, how long a statement waits for a
   * connection from the pool. The default, 10 s, lets a node ride out a loaded server; a
   * command-line tool that should report a silent server at once passes a few seconds.
   */
  public static PostgresStore connect(String url, int poolSize, Duration connectTimeout) {
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be at least 1, got " + poolSize);
    }
    if (connectTimeout.compareTo(Duration.ofMillis(250)) < 0) {
      throw new IllegalArgumentException(
          "connectTimeout must be at least 250 ms, got " + connectTimeout.toMillis() + " ms");
    }
    PgUrl parsed = PgUrl.parse(url);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(parsed.jdbcUrl());
    // The listener and the leader hold a connection each for as long as they run.
    config.setMaximumPoolSize(poolSize + 2);
    config.setPoolName("offload");
    // Connect lazily, on first use: a node may start before its database does.
    config.setInitializationFailTimeout(-1);
    // A connection attempt gives up after connectTimeout, and a statement waits half a second more
    // for a connection, so the attempt's own error (naming the host and port) is the cause it
    // reports rather than the pool's bare "not available".
    // pgjdbc reads loginTimeout as (fractional) seconds.
    config.addDataSourceProperty(
        "loginTimeout", String.valueOf(connectTimeout.toMillis() / 1000.0));
    config.setConnectionTimeout(connectTimeout.toMillis() + 500);
    HikariDataSource pool = new HikariDataSource(config);
    return new PostgresStore(pool, pool, parsed.schema(), parsed.display());
  }

  String schema() {
    return schema;
  }

  private String channel(String topic) {
    return schema + "." + topic;
  }

  @Override
  public void ping() {
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      st.setQueryTimeout(5);
      st.execute("SELECT 1");
    } catch (SQLException e) {
      throw fail("pinging the database", e);
    }
  }

  @Override
  public void migrate() {
    migrations.apply();
  }

  @Override
  public Connection connectionOpen() {
    try {
      return dataSource.getConnection();
    } catch (SQLException e) {
      throw fail("opening a connection", e);
    }
  }

  @Override
  public SchemaVersion schemaVersion() {
    return new SchemaVersion(migrations.current(), Migrations.latest());
  }

  @Override
  public List<InsertResult> jobInsertManyResults(List<JobInsert> jobs) {
    if (!hasKeys(jobs)) {
      // One statement: atomic without a transaction.
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        if (jobs.size() == 1) {
          // Its own transaction: the statement counts its job itself (no trigger call).
          return List.of(insertOne(c, sql.insertOneOwn, jobs.get(0)));
        }
        return insertBatch(c, jobs);
      } catch (SQLException e) {
        throw fail("inserting " + jobs.size() + " jobs", e);
      }
    }
    // A keyed batch runs in a transaction: a key held by a different job undoes the whole batch.
    return inTransaction("inserting " + jobs.size() + " jobs", c -> insert(c, jobs));
  }

  @Override
  public List<InsertResult> jobInsertManyResults(Connection tx, List<JobInsert> jobs) {
    try {
      if (!hasKeys(jobs)) {
        return insert(tx, jobs);
      }
      // A key held by a different job leaves nothing of the batch in the caller's transaction.
      return JdbcRows.underSavepoint(tx, () -> insert(tx, jobs));
    } catch (SQLException e) {
      throw fail("inserting " + jobs.size() + " jobs in the caller's transaction", e);
    }
  }

  private static boolean hasKeys(List<JobInsert> jobs) {
    for (JobInsert j : jobs) {
      if (j.idempotencyKey() != null || j.uniqueKey() != null) {
        return true;
      }
    }
    return false;
  }

  /** Jobs without a unique key in one statement, each job with one on its own, results in order. */
  private List<InsertResult> insert(Connection c, List<JobInsert> jobs) throws SQLException {
    List<JobInsert> plain = jobs.stream().filter(j -> j.uniqueKey() == null).toList();
    java.util.Iterator<InsertResult> batch = insertBatch(c, plain).iterator();
    List<InsertResult> out = new ArrayList<>(jobs.size());
    for (JobInsert j : jobs) {
      out.add(j.uniqueKey() == null ? batch.next() : insertUnique(c, j));
    }
    return out;
  }

  private List<InsertResult> insertBatch(Connection c, List<JobInsert> jobs) throws SQLException {
    if (jobs.isEmpty()) {
      return List.of();
    }
    boolean keyed = false;
    java.util.Set<String> queues = new java.util.TreeSet<>();
    String lastQueue = null;
    for (JobInsert j : jobs) {
      keyed |= j.idempotencyKey() != null;
      // A batch is mostly runs of one queue: the set is fed once per run, not once per job.
      if (!j.queue().equals(lastQueue)) {
        lastQueue = j.queue();
        queues.add(lastQueue);
      }
    }
    if (jobs.size() == 1 && !keyed) {
      return List.of(insertOne(c, sql.insertOne, jobs.get(0)));
    }
    boolean shared = !keyed && InsertColumns.allShared(jobs);
    try (PreparedStatement ps =
        c.prepareStatement(
            keyed ? sql.insertManyKeyed : shared ? sql.insertManyShared : sql.insertMany)) {
      int next = shared ? InsertColumns.bindShared(c, ps, jobs) : InsertColumns.bind(c, ps, jobs);
      ps.setArray(next, c.createArrayOf("text", queues.toArray()));
      List<InsertResult> ids = new ArrayList<>(jobs.size());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          // A job whose idempotency key was taken comes back with the stored job's id.
          long id = rs.getLong(1);
          String storedKind = keyed ? rs.getString(3) : null;
          if (storedKind != null) {
            jobs.get(ids.size()).requireSameRequest(id, storedKind, rs.getString(4));
          }
          ids.add(new InsertResult(id, false));
        }
      }
      return ids;
    }
  }

  /** One job (a plain enqueue): one row of parameters, cheaper to send and to plan. */
  private static InsertResult insertOne(Connection c, String statement, JobInsert job)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      InsertColumns.bindOne(ps, job);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new InsertResult(rs.getLong(1), false);
      }
    }
  }

  /**
   * A job with a unique key: the job that already holds the key (finished within uniqueFor, or
   * pending or running), else a new one. A holder that finishes between the insert and the look-up
   * frees the key, so the insert is tried again.
   */
  private InsertResult insertUnique(Connection c, JobInsert j) throws SQLException {
    var statements =
        new JdbcRows.UniqueStatements(
            sql.idempotencyGet,
            sql.uniqueFinished,
            sql.insertUnique,
            sql.uniqueReplace,
            sql.uniqueLive);
    for (int round = 1; ; round++) {
      InsertResult result =
          ROWS.insertUnique(
              c,
              j,
              statements,
              (job, replaced) -> {
                notify(c, Notifier.INSERT, job.queue());
                if (replaced != null) {
                  notify(c, Notifier.JOB, Long.toString(replaced));
                }
              });
      if (result != null) {
        return result;
      }
      if (round == 5) {
        throw new SQLException(
            "unique key '"
                + j.uniqueKey()
                + "' is held by a job that could not be found after 5 tries");
      }
    }
  }

  private static final Comparator<ClaimedJob> CLAIM_ORDER =
      Comparator.comparingInt(ClaimedJob::priority)
          .thenComparing(ClaimedJob::runAt)
          .thenComparingLong(ClaimedJob::id);

  @Override
  public List<ClaimedJob> jobClaim(ClaimParams p) {
    if (p.kinds().isEmpty()) {
      return List.of();
    }
    if (p.flow().claimedUnderLock()) {
      return inTransaction(
          "claiming jobs of queue '" + p.queue() + "'", c -> claimControlled(c, p));
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      return claimFree(c, p);
    } catch (SQLException e) {
      throw fail("claiming jobs of queue '" + p.queue() + "'", e);
    }
  }

  @Override
  public List<ClaimedJob> jobClaimInserted(ClaimParams p, long id) {
    if (p.kinds().isEmpty() || p.flow().claimedUnderLock()) {
      return List.of();
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.claimInserted)) {
      c.setAutoCommit(true);
      ps.setLong(1, id);
      ps.setString(2, p.queue());
      return claimNext(ps, p, bindClaimable(c, ps, p, 3));
    } catch (SQLException e) {
      throw fail("claiming jobs of queue '" + p.queue() + "'", e);
    }
  }

  @Override
  public InsertedThenClaimed jobInsertThenClaim(JobInsert job, ClaimParams p) {
    // What the claim checks of the row itself is checked here; the queue's rules in the statement.
    boolean claimable =
        job.state() == JobState.AVAILABLE
            && !job.runAt().isAfter(p.now())
            && (p.kinds().contains(job.kind()) || p.kinds().contains(ClaimParams.ANY_KIND))
            && p.queue().equals(job.queue());
    if (!claimable
        || job.idempotencyKey() != null
        || job.uniqueKey() != null
        || p.flow().claimedUnderLock()) {
      return Store.super.jobInsertThenClaim(job, p);
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.insertClaimed)) {
      c.setAutoCommit(true);
      ps.setString(1, p.queue());
      ps.setBoolean(2, p.flow().maxRunning() != null);
      bindClaimNext(ps, p, InsertColumns.bindOne(ps, job, 3));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long id = rs.getLong(1);
        boolean claimed = rs.getString("state").equals(JobState.RUNNING.wireName());
        return new InsertedThenClaimed(
            id, claimed ? List.of(ROWS.claimed(rs, p.token())) : List.of());
      }
    } catch (SQLException e) {
      throw fail("inserting a job of kind '" + job.kind() + "'", e);
    }
  }

  /** The lock-free claim of a queue without flow control: one statement, SKIP LOCKED. */
  private List<ClaimedJob> claimFree(Connection c, ClaimParams p) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.claim)) {
      ps.setString(1, p.queue());
      int next = bindClaimable(c, ps, p, 2);
      ps.setInt(next, p.limit());
      ps.setInt(next + 1, p.limit());
      return claimNext(ps, p, next + 2);
    }
  }

  /**
   * Binds {@code Sql}'s {@code claimable} from parameter {@code first} on.
   *
   * @return the next parameter's index
   */
  private static int bindClaimable(Connection c, PreparedStatement ps, ClaimParams p, int first)
      throws SQLException {
    ps.setTimestamp(first, Timestamp.from(p.now()));
    java.sql.Array kinds = c.createArrayOf("text", p.kinds().toArray());
    ps.setArray(first + 1, kinds);
    ps.setArray(first + 2, kinds);
    ps.setString(first + 3, p.queue());
    ps.setBoolean(first + 4, p.flow().maxRunning() != null);
    return first + 5;
  }

  /**
   * Binds {@code Sql}'s {@code claimNext} from parameter {@code first} on, runs the claim and
   * returns its jobs in claim order.
   */
  private static List<ClaimedJob> claimNext(PreparedStatement ps, ClaimParams p, int first)
      throws SQLException {
    bindClaimNext(ps, p, first);
    try (ResultSet rs = ps.executeQuery()) {
      return claimed(rs, p);
    }
  }

  /** Binds {@code Sql}'s {@code claimNext} from parameter {@code first} on. */
  private static void bindClaimNext(PreparedStatement ps, ClaimParams p, int first)
      throws SQLException {
    ps.setString(first, p.node());
    ps.setLong(first + 1, p.lease().toMillis());
    ps.setLong(first + 2, p.token());
  }

  /** The jobs of a claim's result, in claim order. */
  private static List<ClaimedJob> claimed(ResultSet rs, ClaimParams p) throws SQLException {
    List<ClaimedJob> jobs = new ArrayList<>();
    while (rs.next()) {
      jobs.add(ROWS.claimed(rs, p.token()));
    }
    // RETURNING has no order; hand the jobs out in claim order.
    jobs.sort(CLAIM_ORDER);
    return jobs;
  }

  /**
   * The claim of a queue with a per-key limit, a rate, fairness or aging, in the caller's
   * transaction: under a lock for the queue, read its settings afresh, claim what each key's room
   * (counted from its rows running with a live lease: a crashed node's slots come back when its
   * leases expire) and the rates allow, and advance the rates' TATs by the starts claimed.
   */
  private List<ClaimedJob> claimControlled(Connection c, ClaimParams p) throws SQLException {
    long nowUs;
    QueueSettings settings = null;
    try (PreparedStatement ps = c.prepareStatement(sql.claimLockThenSettings)) {
      ps.setString(1, "offload.claim:" + schema + ":" + p.queue());
      ps.setString(2, p.queue());
      ps.execute();
      try (ResultSet rs = ps.getResultSet()) {
        rs.next();
        nowUs = rs.getLong(2);
      }
      if (!ps.getMoreResults()) {
        throw new SQLException("the claim's settings statement returned no rows");
      }
      try (ResultSet rs = ps.getResultSet()) {
        if (rs.next()) {
          settings =
              QueueSettings.fromColumns(
                  rs.getString(1),
                  rs.getBoolean(2),
                  true,
                  rs.getObject(4, Integer.class),
                  rs.getObject(5, Integer.class),
                  rs.getObject(6, Integer.class),
                  rs.getObject(7, Long.class),
                  rs.getBoolean(8),
                  rs.getBoolean(9),
                  rs.getObject(10, Long.class));
        }
      }
    }
    if (settings == null || !settings.options().claimedUnderLock()) {
      // The node's copy was stale: the queue has no flow control (any more).
      return settings != null && settings.paused() ? List.of() : claimFree(c, p);
    }
    if (settings.paused()) {
      return List.of();
    }
    QueueOptions o = settings.options();
    long room = p.limit();
    boolean queueRate = o.rate() != null && !o.ratePerKey();
    if (queueRate && room > 0) {
      room = Math.min(room, Gcra.allowed(rateTat(c, p.queue(), ""), nowUs, o.rate()));
    }
    if (room <= 0) {
      return List.of();
    }
    List<ClaimedJob> jobs = new ArrayList<>();
    Map<String, Integer> startsPerKey = new TreeMap<>();
    boolean inOrder =
        o.perKey() == null && !o.ratePerKey() && !o.interleavesKeys() && o.aging() == null;
    try (PreparedStatement ps = c.prepareStatement(inOrder ? sql.claimInOrder : sql.claimIds)) {
      int at = 1;
      if (inOrder) {
        ps.setString(at++, p.queue());
        ps.setTimestamp(at++, Timestamp.from(p.now()));
        java.sql.Array kinds = c.createArrayOf("text", p.kinds().toArray());
        ps.setArray(at++, kinds);
        ps.setArray(at++, kinds);
        ps.setLong(at++, room);
      } else {
        List<Long> ids = new ArrayList<>();
        if (o.perKey() != null && o.perKey() == 1 && !o.ratePerKey() && o.aging() == null) {
          candidatesOnePerKey(c, p, room, ids);
        } else {
          candidatesRanked(c, p, o, nowUs, room, ids);
        }
        if (ids.isEmpty()) {
          return List.of();
        }
        ps.setArray(5, c.createArrayOf("int8", ids.toArray()));
      }
      ps.setString(at++, p.node());
      ps.setLong(at++, p.lease().toMillis());
      ps.setLong(at++, p.token());
      ps.setTimestamp(at, Timestamp.from(p.now()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          jobs.add(ROWS.claimed(rs, p.token()));
          String key = queueRate ? "" : rs.getString(12);
          startsPerKey.merge(key == null ? "" : key, 1, Integer::sum);
        }
      }
    }
    if (o.rate() != null && !jobs.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(sql.claimRateAdvance)) {
        ps.setString(1, p.queue());
        ps.setLong(2, nowUs);
        ps.setLong(3, Gcra.intervalMicros(o.rate()));
        ps.setArray(4, c.createArrayOf("text", startsPerKey.keySet().toArray()));
        ps.setArray(5, c.createArrayOf("int4", startsPerKey.values().toArray()));
        ps.setLong(6, nowUs);
        ps.setLong(7, nowUs);
        ps.executeUpdate();
      }
    }
    jobs.sort(CLAIM_ORDER);
    return jobs;
  }

  /**
   * Candidates of a queue with a per-key limit of 1: the first runnable job of each key that runs
   * nothing, in claim order, read only as far as needed ({@code sql.claimCandidatesOnePerKey}). A
   * read filled up with further rows of keys already taken (one key's backlog ahead of the others)
   * is followed by another that leaves those keys out, so a key behind a backlog is reached in the
   * same claim.
   */
  private void candidatesOnePerKey(Connection c, ClaimParams p, long room, List<Long> ids)
      throws SQLException {
    java.util.Set<String> keys = new java.util.LinkedHashSet<>();
    long window = Math.min(room * 4 + 100, 10_000);
    boolean more = true;
    try (PreparedStatement ps = c.prepareStatement(sql.claimCandidatesOnePerKey)) {
      while (more && ids.size() < room) {
        ps.setString(1, p.queue());
        ps.setTimestamp(2, Timestamp.from(p.now()));
        java.sql.Array kinds = c.createArrayOf("text", p.kinds().toArray());
        ps.setArray(3, kinds);
        ps.setArray(4, kinds);
        ps.setArray(5, c.createArrayOf("text", keys.toArray()));
        // Keyless jobs taken by an earlier read are not read again.
        ps.setArray(6, c.createArrayOf("int8", ids.toArray()));
        ps.setLong(7, window);
        ps.setFetchSize((int) Math.min(room + 64, 1_000));
        int read = 0;
        try (ResultSet rs = ps.executeQuery()) {
          while (ids.size() < room && rs.next()) {
            read++;
            String key = rs.getString(2);
            if (key == null || keys.add(key)) {
              ids.add(rs.getLong(1));
            }
          }
        }
        more = read == window;
      }
    }
  }

  /** Candidates ranked within their keys: per-key limits and rates, fair order, aging. */
  private void candidatesRanked(
      Connection c, ClaimParams p, QueueOptions o, long nowUs, long room, List<Long> ids)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.claimCandidates)) {
      ps.setString(1, p.queue());
      ps.setTimestamp(2, Timestamp.from(p.now()));
      ps.setLong(3, nowUs);
      ps.setArray(4, c.createArrayOf("text", p.kinds().toArray()));
      ps.setObject(5, o.perKey(), java.sql.Types.INTEGER);
      ps.setBoolean(6, o.ratePerKey());
      ps.setLong(7, o.rate() == null ? 1 : Gcra.intervalMicros(o.rate()));
      ps.setLong(8, o.rate() == null ? 0 : Gcra.toleranceMicros(o.rate()));
      ps.setObject(9, o.aging() == null ? null : o.aging().toMillis(), java.sql.Types.BIGINT);
      ps.setBoolean(10, o.interleavesKeys());
      ps.setLong(11, room);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
  }

  private Long rateTat(Connection c, String queue, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.claimRateGet)) {
      ps.setString(1, queue);
      ps.setString(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  @Override
  public List<Long> jobCompleteMany(List<Completion> completions) {
    int n = completions.size();
    if (n == 0) {
      return List.of();
    }
    Long[] id = new Long[n], token = new Long[n];
    String[] state = new String[n],
        at = new String[n],
        runAt = new String[n],
        result = new String[n];
    String[] error = new String[n],
        leaseCutoff = new String[n],
        progress = new String[n],
        failedItems = new String[n];
    Boolean[] refund = new Boolean[n];
    String[] startedAt = new String[n];
    for (int i = 0; i < n; i++) {
      Completion x = completions.get(i);
      startedAt[i] = PgTime.textOrNull(x.startedAt());
      id[i] = x.id();
      token[i] = x.token();
      state[i] = x.state().wireName();
      at[i] = PgTime.text(x.at());
      runAt[i] = PgTime.textOrNull(x.runAt());
      result[i] = x.resultJson();
      error[i] = x.errorJson();
      leaseCutoff[i] = PgTime.textOrNull(x.leaseExpiredBefore());
      progress[i] = x.progressJson();
      failedItems[i] = x.failedItemsJson();
      refund[i] = x.refundAttempt();
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<Long> written =
            complete(
                c,
                id,
                token,
                state,
                at,
                runAt,
                result,
                error,
                leaseCutoff,
                progress,
                failedItems,
                refund,
                startedAt);
        c.commit();
        return written;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      if (refusedData(e)) {
        throw new RejectedWriteException(refusal(completions, e), e);
      }
      throw fail("writing " + n + " finished jobs", e);
    }
  }

  /**
   * The completion statement, then the release of the waiting dependents of ended workflow steps.
   */
  private List<Long> complete(
      Connection c,
      Long[] id,
      Long[] token,
      String[] state,
      String[] at,
      String[] runAt,
      String[] result,
      String[] error,
      String[] leaseCutoff,
      String[] progress,
      String[] failedItems,
      Boolean[] refund,
      String[] startedAt)
      throws SQLException {
    List<Long> written = new ArrayList<>();
    List<Long> endedSteps = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.completeMany)) {
      ps.setArray(1, c.createArrayOf("int8", id));
      ps.setArray(2, c.createArrayOf("int8", token));
      ps.setArray(3, c.createArrayOf("text", state));
      ps.setArray(4, c.createArrayOf("text", at));
      ps.setArray(5, c.createArrayOf("text", runAt));
      ps.setArray(6, c.createArrayOf("text", result));
      ps.setArray(7, c.createArrayOf("text", error));
      ps.setArray(8, c.createArrayOf("text", leaseCutoff));
      ps.setArray(9, c.createArrayOf("text", progress));
      ps.setArray(10, c.createArrayOf("text", failedItems));
      ps.setArray(11, c.createArrayOf("bool", refund));
      ps.setArray(12, c.createArrayOf("text", startedAt));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          written.add(rs.getLong(1));
          if (rs.getBoolean(3)) {
            endedSteps.add(rs.getLong(1));
          }
        }
      }
    }
    if (!endedSteps.isEmpty()) {
      release(c, endedSteps, Timestamp.from(Instant.parse(at[0])));
    }
    return written;
  }

  /**
   * Releases or cancels the waiting dependents of {@code ended} (per their failure policy), then
   * those of the steps that cancelling ended, down the graph; in the caller's transaction.
   */
  private void release(Connection c, List<Long> ended, Timestamp now) throws SQLException {
    List<Long> frontier = ended;
    while (!frontier.isEmpty()) {
      List<Long> dependents = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql.lockDependents)) {
        ps.setArray(1, c.createArrayOf("int8", frontier.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            dependents.add(rs.getLong(1));
          }
        }
      }
      if (dependents.isEmpty()) {
        return;
      }
      frontier = cancelOrRelease(c, dependents, now);
    }
  }

  /**
   * Cancels (per their failure policy) or releases the waiting steps {@code waiting}, locked by the
   * caller, whose dependencies allow it; returns the ones it cancelled.
   */
  private List<Long> cancelOrRelease(Connection c, List<Long> waiting, Timestamp now)
      throws SQLException {
    Array ids = c.createArrayOf("int8", waiting.toArray());
    List<Long> cancelled = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.cancelDependents)) {
      ps.setTimestamp(1, now);
      ps.setArray(2, ids);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          cancelled.add(rs.getLong(1));
        }
      }
    }
    List<Long> changed = new ArrayList<>(cancelled);
    changed.addAll(releaseOnly(c, waiting, now));
    notifyChanged(c, changed);
    return cancelled;
  }

  /** Releases those of the waiting steps {@code waiting} whose dependencies allow it. */
  private List<Long> releaseOnly(Connection c, List<Long> waiting, Timestamp now)
      throws SQLException {
    List<Long> released = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.releaseDependents)) {
      ps.setTimestamp(1, now);
      ps.setArray(2, c.createArrayOf("int8", waiting.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          released.add(rs.getLong(1));
        }
      }
    }
    return released;
  }

  /** New waiting steps whose dependencies may have ended already: as a completion would. */
  private void settle(Connection c, List<Long> waiting, Timestamp now) throws SQLException {
    if (!waiting.isEmpty()) {
      release(c, cancelOrRelease(c, waiting, now), now);
    }
  }

  /**
   * Steps run again (retried or replayed) wait again for their dependencies (released at once when
   * those have all succeeded), and the dependents their failure cancelled wait for them.
   */
  private void rearm(Connection c, List<Long> steps, Timestamp now) throws SQLException {
    if (steps.isEmpty()) {
      return;
    }
    List<Long> waiting = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.waitIfDependencies)) {
      ps.setArray(1, c.createArrayOf("int8", steps.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          waiting.add(rs.getLong(1));
        }
      }
    }
    if (!waiting.isEmpty()) {
      notifyChanged(c, releaseOnly(c, waiting, now));
    }
    rearmDependents(c, steps, now);
  }

  private void notifyChanged(Connection c, List<Long> ids) throws SQLException {
    for (int from = 0; from < ids.size(); from += 500) {
      List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
      notify(
          c,
          Notifier.JOB,
          chunk.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
    }
  }

  /**
   * Whether PostgreSQL refused the values rather than failed: a data exception (class 22, such as
   * U+0000 in JSON) or a limit exceeded (class 54). Writing the same values fails again.
   */
  private static boolean refusedData(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("22") || state.startsWith("54"));
  }

  /** What was refused, in words; for one completion, which of its values holds U+0000. */
  private static String refusal(List<Completion> completions, SQLException e) {
    if (completions.size() == 1) {
      Completion x = completions.get(0);
      String field =
          holdsNul(x.resultJson())
              ? "the result holds"
              : holdsNul(x.errorJson())
                  ? "the error holds"
                  : holdsNul(x.progressJson())
                      ? "the progress holds"
                      : holdsNul(x.failedItemsJson()) ? "the failed items hold" : null;
      if (field != null) {
        return field + " \\u0000, which PostgreSQL cannot store";
      }
    }
    String message = String.valueOf(e.getMessage());
    int line = message.indexOf('\n');
    return "PostgreSQL refused the data (SQLSTATE "
        + e.getSQLState()
        + "): "
        + (line < 0 ? message : message.substring(0, line)).replaceFirst("^ERROR: ", "");
  }

  /**
   * Whether JSON text holds the escape of U+0000 (which jsonb refuses), not an escaped backslash
   * before "u0000".
   */
  static boolean holdsNul(String json) {
    if (json == null) {
      return false;
    }
    for (int at = json.indexOf("\\u0000"); at >= 0; at = json.indexOf("\\u0000", at + 1)) {
      int backslashes = 0;
      for (int i = at - 1; i >= 0 && json.charAt(i) == '\\'; i--) {
        backslashes++;
      }
      if (backslashes % 2 == 0) {
        return true;
      }
    }
    return false;
  }

  @Override
  public List<Long> jobProgressMany(List<ProgressUpdate> updates) {
    if (updates.isEmpty()) {
      return List.of();
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.progressMany)) {
      c.setAutoCommit(true);
      ps.setArray(1, c.createArrayOf("int8", updates.stream().map(ProgressUpdate::id).toArray()));
      ps.setArray(
          2, c.createArrayOf("int8", updates.stream().map(ProgressUpdate::token).toArray()));
      ps.setArray(
          3, c.createArrayOf("text", updates.stream().map(ProgressUpdate::progressJson).toArray()));
      return ids(ps);
    } catch (SQLException e) {
      if (refusedData(e)) {
        throw new RejectedWriteException(refusal(List.of(), e), e);
      }
      throw fail("writing the progress of " + updates.size() + " jobs", e);
    }
  }

  @Override
  public List<Long> jobStartMany(List<JobStart> starts) {
    if (starts.isEmpty()) {
      return List.of();
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.startMany)) {
      c.setAutoCommit(true);
      ps.setArray(1, c.createArrayOf("int8", starts.stream().map(JobStart::id).toArray()));
      ps.setArray(2, c.createArrayOf("int8", starts.stream().map(JobStart::token).toArray()));
      ps.setArray(
          3, c.createArrayOf("text", starts.stream().map(s -> PgTime.text(s.at())).toArray()));
      return ids(ps);
    } catch (SQLException e) {
      throw fail("writing the starts of " + starts.size() + " jobs", e);
    }
  }

  @Override
  public boolean jobCheckpoint(long id, long token, String checkpointJson, String failedItemsJson) {
    return withStatement(
        "writing the checkpoint of job " + id,
        sql.checkpoint,
        ps -> {
          ps.setString(1, checkpointJson);
          ps.setString(2, failedItemsJson);
          ps.setLong(3, id);
          ps.setLong(4, token);
          return ps.executeUpdate() == 1;
        });
  }

  @Override
  public List<KindStats> kindStats(Instant since, long budgetMs) {
    return withStatement(
        "reading run times per kind",
        sql.kindStats,
        ps -> {
          ps.setTimestamp(1, Timestamp.from(since));
          List<KindStats> out = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              double p95 = round(rs.getDouble(4));
              out.add(
                  new KindStats(
                      rs.getString(1),
                      rs.getLong(2),
                      round(rs.getDouble(3)),
                      p95,
                      round(rs.getDouble(5)),
                      budgetMs,
                      KindStats.advice(p95, budgetMs),
                      round(rs.getDouble(6)),
                      round(rs.getDouble(7))));
            }
          }
          return out;
        });
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  @Override
  public List<String> jobRecentProgress(String kind, int limit) {
    return withStatement(
        "reading earlier progress of kind '" + kind + "'",
        sql.recentProgress,
        ps -> {
          ps.setString(1, kind);
          ps.setInt(2, limit);
          List<String> out = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(rs.getString(1));
            }
          }
          return out;
        });
  }

  @Override
  public Heartbeat jobHeartbeat(String node, Collection<LeasedJob> leases, Duration lease) {
    if (leases.isEmpty()) {
      return Heartbeat.none();
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.heartbeat)) {
      c.setAutoCommit(true);
      ps.setLong(1, lease.toMillis());
      ps.setArray(2, c.createArrayOf("int8", leases.stream().map(LeasedJob::id).toArray()));
      ps.setArray(3, c.createArrayOf("int8", leases.stream().map(LeasedJob::token).toArray()));
      ps.setString(4, node);
      List<LeasedJob> renewed = new ArrayList<>();
      List<Long> cancelRequested = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          renewed.add(new LeasedJob(rs.getLong(1), rs.getLong(2)));
          if (rs.getBoolean(3)) {
            cancelRequested.add(rs.getLong(1));
          }
        }
      }
      return new Heartbeat(renewed, cancelRequested);
    } catch (SQLException e) {
      throw fail("renewing " + leases.size() + " leases", e);
    }
  }

  @Override
  public int jobReleaseMany(List<LeasedJob> jobs, Instant now) {
    if (jobs.isEmpty()) {
      return 0;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.releaseMany)) {
      c.setAutoCommit(true);
      ps.setTimestamp(1, Timestamp.from(now));
      ps.setArray(2, c.createArrayOf("int8", jobs.stream().map(LeasedJob::id).toArray()));
      ps.setArray(3, c.createArrayOf("int8", jobs.stream().map(LeasedJob::token).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw fail("releasing " + jobs.size() + " jobs", e);
    }
  }

  @Override
  public List<StuckJob> jobGetStuck(int limit) {
    return withStatement(
        "looking for jobs with expired leases",
        sql.getStuck,
        ps -> {
          ps.setInt(1, limit);
          List<StuckJob> stuck = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              stuck.add(JdbcRows.stuck(rs, instant(rs, 7)));
            }
          }
          return stuck;
        });
  }

  @Override
  public Optional<Job> jobGet(long id) {
    return withStatement(
        "reading job " + id,
        sql.get,
        ps -> {
          ps.setLong(1, id);
          return ROWS.optionalJob(ps);
        });
  }

  @Override
  public JobPage jobList(JobQuery q) {
    List<Object> params = new ArrayList<>();
    boolean args = q.includes(JobQuery.Field.ARGS);
    boolean result = q.includes(JobQuery.Field.RESULT);
    String select =
        args && result
            ? sql.list
            : args ? sql.listWithoutResult : result ? sql.listWithoutArgs : sql.listWithoutEither;
    String query = select + ROWS.listWhere(q, sql.filters, params) + " ORDER BY id DESC LIMIT ?";
    return withStatement(
        "listing jobs",
        query,
        ps -> {
          bind(ps, params);
          try (ResultSet rs = ps.executeQuery()) {
            return ROWS.page(rs, q);
          }
        });
  }

  /** The clauses of {@code filter}, appending their values to {@code params}. */
  private String where(JobFilter filter, List<Object> params) {
    return ROWS.where(filter, sql.filters, params);
  }

  @Override
  public Optional<JobState> jobCancel(long id, Instant now) {
    return act(
        id,
        JobAction.CANCEL,
        (c, state, queue) -> {
          if (state == JobState.RUNNING) {
            update(c, sql.cancelRunning, Timestamp.from(now), id);
            notify(c, Notifier.CANCEL, Long.toString(id));
            return;
          }
          update(c, sql.cancelPending, Timestamp.from(now), Timestamp.from(now), id);
          notify(c, Notifier.JOB, Long.toString(id));
          release(c, List.of(id), Timestamp.from(now));
        });
  }

  @Override
  public Optional<JobState> jobRetry(long id, Instant now) {
    return act(
        id,
        JobAction.RETRY,
        (c, state, queue) -> {
          // A finished job starts over with fresh attempts; a waiting one just runs now.
          update(c, state.isFinal() ? sql.retryFresh : sql.runNow, Timestamp.from(now), id);
          if (state.isFinal()) {
            rearm(c, List.of(id), Timestamp.from(now));
          }
          notify(c, Notifier.INSERT, queue);
          notify(c, Notifier.JOB, Long.toString(id));
        });
  }

  /** A change to one job, made in the transaction that holds its row's lock. */
  private interface JobChange {
    void apply(Connection c, JobState state, String queue) throws SQLException;
  }

  /**
   * Locks job {@code id} and, when {@code action} may start from its state, makes {@code change} in
   * the same transaction.
   *
   * @return the state the job had, or empty when there is no such job
   */
  private Optional<JobState> act(long id, JobAction action, JobChange change) {
    String what = JdbcRows.doing(action, id);
    return inTransaction(
        what,
        c -> {
          Optional<String[]> row = lock(c, id);
          if (row.isEmpty()) {
            return Optional.empty();
          }
          JobState state = JobState.fromWire(row.get()[0]);
          if (action.allows(state)) {
            change.apply(c, state, row.get()[1]);
          }
          return Optional.of(state);
        });
  }

  /** Re-arms, down the graph, the dependents that the failure of step {@code id} cancelled. */
  private void rearmDependents(Connection c, List<Long> ids, Timestamp now) throws SQLException {
    List<Long> frontier = ids;
    while (!frontier.isEmpty()) {
      List<Long> rearmed = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql.rearmDependents)) {
        ps.setTimestamp(1, now);
        ps.setArray(2, c.createArrayOf("int8", frontier.toArray()));
        rearmed.addAll(ids(ps));
      }
      notifyChanged(c, rearmed);
      frontier = rearmed;
    }
  }

  @Override
  public Optional<JobState> jobDelete(long id) {
    return act(
        id,
        JobAction.DELETE,
        (c, state, queue) -> {
          JdbcRows.refuseIfDependedOn(c, sql.unfinishedDependents, id);
          update(c, sql.delete, id);
        });
  }

  @Override
  public int jobReplayMany(JobFilter filter, Instant now) {
    List<Object> params = new ArrayList<>();
    params.add(Timestamp.from(now));
    String query =
        "WITH replayed AS ("
            + sql.replayMany
            + where(filter, params)
            + " RETURNING id, queue, workflow_id)"
            + " SELECT id, workflow_id IS NOT NULL,"
            + " (SELECT count(pg_notify(?, queue)) FROM (SELECT DISTINCT queue FROM replayed) q)"
            + " FROM replayed";
    params.add(channel(Notifier.INSERT));
    // Replayed workflow steps wait again for their dependencies and re-arm their dependents, in
    // the same transaction, as a retry of each would.
    return inTransaction(
        "replaying jobs",
        c -> {
          int count = 0;
          List<Long> steps = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(query)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                count++;
                if (rs.getBoolean(2)) {
                  steps.add(rs.getLong(1));
                }
              }
            }
          }
          rearm(c, steps, Timestamp.from(now));
          return count;
        });
  }

  @Override
  public int jobDeleteMany(JobFilter filter) {
    List<Object> params = new ArrayList<>();
    return withStatement(
        "purging jobs",
        sql.deleteMany + where(filter, params),
        ps -> {
          bind(ps, params);
          return ps.executeUpdate();
        });
  }

  @Override
  public int jobPrune(JobState state, Instant before, int limit) {
    return withStatement(
        "pruning " + state.wireName() + " jobs",
        sql.prune,
        ps -> {
          ps.setString(1, state.wireName());
          ps.setTimestamp(2, Timestamp.from(before));
          ps.setInt(3, limit);
          return ps.executeUpdate();
        });
  }

  @Override
  public List<QueueStats> queueStats(Instant now) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      record Acc(Map<JobState, Long> counts, boolean[] paused, double[] minute) {}
      Map<String, Acc> queues = new TreeMap<>();
      java.util.function.Function<String, Acc> acc =
          q ->
              queues.computeIfAbsent(
                  q,
                  k ->
                      new Acc(
                          new EnumMap<>(JobState.class),
                          new boolean[1],
                          new double[] {0, Double.NaN, Double.NaN}));
      long counterRows = 0;
      int groups = 0;
      try (PreparedStatement ps = c.prepareStatement(sql.queueCounts);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          acc.apply(rs.getString(1))
              .counts()
              .put(JobState.fromWire(rs.getString(2)), rs.getLong(3));
          counterRows = rs.getLong(4);
          groups++;
        }
      }
      // Each backend that ever moved a job has counter rows of its own; fold in those of backends
      // that have gone once they outnumber what the live ones plausibly need.
      if (counterRows > COUNTER_ROWS_KEPT + 8L * groups) {
        try (PreparedStatement ps = c.prepareStatement(sql.queueCountsCompact)) {
          ps.executeUpdate();
        }
      }
      Map<String, Long> claimed = new java.util.HashMap<>();
      try (PreparedStatement ps = c.prepareStatement(sql.queueClaimed);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          claimed.put(rs.getString(1), rs.getLong(2));
        }
      }
      try (PreparedStatement ps = c.prepareStatement(sql.queuesPaused);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          acc.apply(rs.getString(1)).paused()[0] = rs.getBoolean(2);
        }
      }
      try (PreparedStatement ps = c.prepareStatement(sql.queueLastMinute)) {
        ps.setTimestamp(1, Timestamp.from(now.minusSeconds(60)));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            double[] m = acc.apply(rs.getString(1)).minute();
            m[0] = rs.getLong(2);
            m[1] = nullable(rs, 3);
            m[2] = nullable(rs, 4);
          }
        }
      }
      List<QueueStats> out = new ArrayList<>();
      queues.forEach((name, a) ->
          out.add(
              new QueueStats(
                  name,
                  a.paused()[0],
                  a.counts(),
                  claimed.getOrDefault(name, 0L),
                  (long) a.minute()[0],
                  Double.isNaN(a.minute()[1]) ? null : a.minute()[1],
                  Double.isNaN(a.minute()[2]) ? null : a.minute()[2],
                  QueueStats.Flow.none())));
      return out;
    } catch (SQLException e) {
      throw fail("reading queue statistics", e);
    }
  }

  private static double nullable(ResultSet rs, int column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? Double.NaN : Math.round(v * 10) / 10.0;
  }

  @Override
  public void queuePause(String queue, boolean paused) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.queuePause)) {
      c.setAutoCommit(true);
      ps.setString(1, queue);
      ps.setBoolean(2, paused);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw fail((paused ? "pausing" : "resuming") + " queue '" + queue + "'", e);
    }
  }

  @Override
  public List<QueueSettings> queueSettingsList() {
    return withStatement(
        "reading queue settings",
        sql.queueSettingsList,
        ps -> {
          List<QueueSettings> out = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(JdbcRows.queueSettings(rs));
            }
          }
          return out;
        });
  }

  @Override
  public boolean queueSettingsPut(String queue, QueueOptions o, boolean onlyIfUnconfigured) {
    return inTransaction(
        "writing the settings of queue '" + queue + "'",
        c -> {
          boolean written;
          try (PreparedStatement ps = c.prepareStatement(sql.queueSettingsPut)) {
            ps.setString(1, queue);
            ps.setObject(2, o.maxRunning(), java.sql.Types.INTEGER);
            ps.setObject(3, o.perKey(), java.sql.Types.INTEGER);
            ps.setObject(4, o.rate() == null ? null : o.rate().count(), java.sql.Types.INTEGER);
            ps.setObject(
                5, o.rate() == null ? null : o.rate().period().toMillis(), java.sql.Types.BIGINT);
            ps.setBoolean(6, o.ratePerKey());
            ps.setBoolean(7, o.fair());
            ps.setObject(8, o.aging() == null ? null : o.aging().toMillis(), java.sql.Types.BIGINT);
            QueueOptions.Push push = o.push();
            ps.setString(9, push == null ? null : push.url().toString());
            ps.setObject(
                10, push == null ? null : push.timeout().toMillis(), java.sql.Types.BIGINT);
            ps.setString(11, push == null ? null : push.secretEnv());
            ps.setBoolean(12, push != null && push.allowHttp());
            ps.setBoolean(13, onlyIfUnconfigured);
            written = ps.executeUpdate() == 1;
          }
          if (written) {
            update(c, sql.queueRatesReset, queue);
            // Looser limits may let waiting jobs run: wake the queue's workers.
            notify(c, Notifier.INSERT, queue);
          }
          return written;
        });
  }

  @Override
  public QueueFlow queueFlow(String queue, QueueOptions o, String key, Instant now) {
    return withStatement(
        "reading the flow control of queue '" + queue + "'",
        sql.queueFlow,
        ps -> {
          ps.setString(1, queue);
          ps.setTimestamp(2, Timestamp.from(now));
          ps.setObject(3, o.perKey(), java.sql.Types.INTEGER);
          ps.setBoolean(4, o.ratePerKey());
          ps.setLong(5, o.rate() == null ? 0 : Gcra.toleranceMicros(o.rate()));
          ps.setString(6, key);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return JdbcRows.queueFlow(rs);
          }
        });
  }

  @Override
  public SlotGrant queueSlots(SlotRequest r) {
    return inTransaction(
        "leasing slots of queue '" + r.queue() + "'",
        c -> {
          long nowUs;
          Integer maxRunning = null;
          List<QueueSlots.Lease> others = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql.slotsLockThenRead)) {
            ps.setString(1, "offload.slots:" + schema + ":" + r.queue());
            ps.setString(2, r.queue());
            ps.setString(3, r.queue());
            ps.setString(4, r.node());
            ps.execute();
            try (ResultSet rs = ps.getResultSet()) {
              rs.next();
              nowUs = rs.getLong(2);
            }
            ps.getMoreResults();
            try (ResultSet rs = ps.getResultSet()) {
              if (rs.next()) {
                maxRunning = rs.getObject(1, Integer.class);
              }
            }
            ps.getMoreResults();
            try (ResultSet rs = ps.getResultSet()) {
              while (rs.next()) {
                others.add(new QueueSlots.Lease(rs.getString(1), rs.getInt(2), rs.getInt(3)));
              }
            }
          }
          if (maxRunning == null) {
            releaseSlots(c, r.queue(), r.node());
            return new SlotGrant(0, null);
          }
          int allowed = QueueSlots.allowed(maxRunning, r.node(), r.wanted(), others);
          int held = QueueSlots.held(allowed, r.bound());
          if (held == 0 && r.wanted() == 0) {
            releaseSlots(c, r.queue(), r.node());
          } else {
            try (PreparedStatement ps = c.prepareStatement(sql.slotsWrite)) {
              ps.setString(1, r.queue());
              ps.setLong(2, nowUs);
              ps.setString(3, r.queue());
              ps.setString(4, r.node());
              ps.setInt(5, held);
              ps.setInt(6, r.wanted());
              ps.setLong(7, nowUs + r.lease().toNanos() / 1_000);
              ps.execute();
            }
          }
          return new SlotGrant(allowed, maxRunning);
        });
  }

  @Override
  public void queueSlotsRelease(String queue, String node) {
    withStatement(
        "releasing slots of queue '" + queue + "'",
        sql.slotsRelease,
        ps -> {
          ps.setString(1, queue);
          ps.setString(2, node);
          return ps.executeUpdate();
        });
  }

  private void releaseSlots(Connection c, String queue, String node) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.slotsRelease)) {
      ps.setString(1, queue);
      ps.setString(2, node);
      ps.executeUpdate();
    }
  }

  private interface Tx<T> {
    T run(Connection c) throws SQLException;
  }

  /** Work with one prepared statement. */
  private interface WithStatement<T> {
    T run(PreparedStatement ps) throws SQLException;
  }

  /**
   * What {@code work} makes of {@code statement}, prepared on a connection of its own in
   * autocommit: one statement, its own transaction.
   */
  private <T> T withStatement(String what, String statement, WithStatement<T> work) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(statement)) {
      c.setAutoCommit(true);
      return work.run(ps);
    } catch (SQLException e) {
      throw fail(what, e);
    }
  }

  private <T> T inTransaction(String what, Tx<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw fail(what, e);
    }
  }

  /** Locks a job's row; its state and queue, or empty when there is no such job. */
  private Optional<String[]> lock(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.lockState)) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new String[] {rs.getString(1), rs.getString(2)})
            : Optional.empty();
      }
    }
  }

  private void notify(Connection c, String topic, String payload) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      ps.setString(1, channel(topic));
      ps.setString(2, payload);
      ps.execute();
    }
  }

  /**
   * Reads a {@code timestamptz} as an instant. Not through {@link Timestamp}: it converts with the
   * Julian calendar before 1582, so {@code 0001-01-01} came back as {@code 0000-12-30}.
   */
  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  @Override
  public void kindAnnounce(Collection<String> kinds, Instant now) {
    if (kinds.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.kindAnnounce)) {
      c.setAutoCommit(true);
      ps.setTimestamp(1, Timestamp.from(now));
      Array array = c.createArrayOf("text", kinds.stream().sorted().toArray());
      ps.setArray(2, array);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw fail("announcing kinds " + kinds, e);
    }
  }

  @Override
  public boolean kindKnown(String kind) {
    return withStatement(
        "looking up kind '" + kind + "'",
        sql.kindKnown,
        ps -> {
          ps.setString(1, kind);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next();
          }
        });
  }

  @Override
  public Optional<LeasedJob> jobRunningLease(long id) {
    return withStatement(
        "reading the lease of job " + id,
        sql.jobRunningLease,
        ps -> {
          ps.setLong(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(new LeasedJob(id, rs.getLong(1))) : Optional.empty();
          }
        });
  }

  // ---------------------------------------------------------------- schedules

  @Override
  public boolean scheduleSave(ScheduleRecord s, boolean replace) {
    return withStatement(
        "saving schedule '" + s.name() + "'",
        replace ? sql.scheduleUpsert : sql.scheduleInsert,
        ps -> {
          ROWS.bindSchedule(ps, s);
          return ps.executeUpdate() == 1;
        });
  }

  @Override
  public List<ScheduleRecord> scheduleList() {
    return withStatement(
        "listing schedules",
        sql.scheduleList,
        ps -> {
          return ROWS.schedules(ps);
        });
  }

  @Override
  public Optional<ScheduleRecord> scheduleGet(String name) {
    return withStatement(
        "reading schedule '" + name + "'",
        sql.scheduleGet,
        ps -> {
          ps.setString(1, name);
          return ROWS.schedules(ps).stream().findFirst();
        });
  }

  @Override
  public boolean scheduleDelete(String name) {
    return withStatement(
        "deleting schedule '" + name + "'",
        sql.scheduleDelete,
        ps -> {
          ps.setString(1, name);
          return ps.executeUpdate() == 1;
        });
  }

  @Override
  public boolean schedulePause(String name, boolean paused, Instant now) {
    return withStatement(
        (paused ? "pausing" : "resuming") + " schedule '" + name + "'",
        sql.schedulePause,
        ps -> {
          ps.setBoolean(1, paused);
          ps.setBoolean(2, paused);
          ps.setTimestamp(3, Timestamp.from(now));
          ps.setString(4, name);
          return ps.executeUpdate() == 1;
        });
  }

  @Override
  public int scheduleDisableUndeclared(Collection<String> declared) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.scheduleDisableUndeclared)) {
      c.setAutoCommit(true);
      ps.setArray(1, c.createArrayOf("text", declared.toArray()));
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw fail("disabling schedules no longer declared", e);
    }
  }

  @Override
  public Optional<List<Long>> scheduleFire(String name, Instant tick, List<JobInsert> jobs) {
    return inTransaction(
        "firing schedule '" + name + "' at " + tick,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.scheduleAdvance)) {
            ps.setTimestamp(1, Timestamp.from(tick));
            ps.setString(2, name);
            ps.setTimestamp(3, Timestamp.from(tick));
            if (ps.executeUpdate() == 0) {
              return Optional.empty();
            }
          }
          return Optional.of(
              jobs.isEmpty()
                  ? List.<Long>of()
                  : insert(c, jobs).stream().map(InsertResult::id).toList());
        });
  }

  // ---------------------------------------------------------------- workflows

  @Override
  public long workflowInsert(WorkflowInsert w) {
    return inTransaction(
        "inserting workflow '" + w.name() + "' of " + w.steps().size() + " steps",
        c -> {
          long workflowId;
          try (PreparedStatement ps = c.prepareStatement(sql.workflowInsert)) {
            ps.setString(1, w.name());
            ps.setTimestamp(2, Timestamp.from(w.createdAt()));
            ps.setBoolean(3, w.batch());
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              workflowId = rs.getLong(1);
            }
          }
          int n = w.steps().size();
          String[] kind = new String[n],
              queue = new String[n],
              args = new String[n],
              state = new String[n];
          String[] runAt = new String[n],
              createdAt = new String[n],
              step = new String[n],
              onFailure = new String[n];
          Integer[] priority = new Integer[n], maxAttempts = new Integer[n];
          List<String> woken = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            WorkflowInsert.Step st = w.steps().get(i);
            JobInsert j = st.job();
            kind[i] = j.kind();
            queue[i] = j.queue();
            priority[i] = j.priority();
            args[i] = j.argsJson();
            maxAttempts[i] = j.maxAttempts();
            state[i] = st.after().isEmpty() ? j.state().wireName() : JobState.WAITING.wireName();
            runAt[i] = PgTime.text(j.runAt());
            createdAt[i] = PgTime.text(j.createdAt());
            step[i] = st.name();
            onFailure[i] = st.onFailure();
            if (st.after().isEmpty()) {
              woken.add(j.queue());
            }
          }
          List<Long> ids = new ArrayList<>(n);
          try (PreparedStatement ps = c.prepareStatement(sql.workflowStepsInsert)) {
            ps.setLong(1, workflowId);
            ps.setArray(2, c.createArrayOf("text", kind));
            ps.setArray(3, c.createArrayOf("text", queue));
            ps.setArray(4, c.createArrayOf("int4", priority));
            ps.setArray(5, c.createArrayOf("text", args));
            ps.setArray(6, c.createArrayOf("int4", maxAttempts));
            ps.setArray(7, c.createArrayOf("text", state));
            ps.setArray(8, c.createArrayOf("text", runAt));
            ps.setArray(9, c.createArrayOf("text", createdAt));
            ps.setArray(10, c.createArrayOf("text", step));
            ps.setArray(11, c.createArrayOf("text", onFailure));
            ids.addAll(ids(ps));
          }
          List<Long> jobIds = new ArrayList<>();
          List<Long> dependsOn = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            for (int dep : w.steps().get(i).after()) {
              jobIds.add(ids.get(i));
              dependsOn.add(ids.get(dep));
            }
          }
          try (PreparedStatement ps = c.prepareStatement(sql.workflowDepsInsert)) {
            ps.setArray(1, c.createArrayOf("int8", jobIds.toArray()));
            ps.setArray(2, c.createArrayOf("int8", dependsOn.toArray()));
            ps.setArray(3, c.createArrayOf("text", woken.toArray()));
            ps.executeQuery().close();
          }
          List<Long> groupJobs = new ArrayList<>();
          List<String> prefixes = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            for (String group : w.steps().get(i).groups()) {
              groupJobs.add(ids.get(i));
              prefixes.add(group + "/");
            }
          }
          if (!groupJobs.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(sql.workflowGroupsInsert)) {
              ps.setLong(1, workflowId);
              ps.setArray(2, c.createArrayOf("int8", groupJobs.toArray()));
              ps.setArray(3, c.createArrayOf("text", prefixes.toArray()));
              ps.executeUpdate();
            }
          }
          return workflowId;
        });
  }

  @Override
  public List<Long> workflowAddSteps(
      long parentJobId, Instant now, List<WorkflowInsert.Added> steps) {
    return inTransaction(
        "adding " + steps.size() + " steps to the workflow of job " + parentJobId,
        c -> {
          AddedSteps.Added added = addedSteps.add(c, parentJobId, steps);
          for (String queue : added.readyQueues()) {
            notify(c, Notifier.INSERT, queue);
          }
          settle(c, added.waiting(), Timestamp.from(now));
          notifyChanged(c, added.ids());
          return added.ids();
        });
  }

  @Override
  public Optional<WorkflowRecord> workflowGet(long id) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      // One snapshot for the workflow and its steps.
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        String name;
        Instant createdAt;
        Instant cancelledAt;
        try (PreparedStatement ps = c.prepareStatement(sql.workflowGet)) {
          ps.setLong(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              return Optional.empty();
            }
            name = rs.getString(2);
            createdAt = instant(rs, 3);
            cancelledAt = instant(rs, 4);
          }
        }
        List<WorkflowRecord.Step> steps = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql.workflowSteps)) {
          ps.setLong(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Array after = rs.getArray(9);
              List<String> names = after == null ? List.of() : List.of((String[]) after.getArray());
              steps.add(ROWS.workflowStep(rs, names));
            }
          }
        }
        return Optional.of(new WorkflowRecord(id, name, createdAt, cancelledAt, steps));
      } finally {
        c.rollback();
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
    } catch (SQLException e) {
      throw fail("reading workflow " + id, e);
    }
  }

  @Override
  public Optional<String> workflowStepResult(long jobId, String step) {
    return withStatement(
        "reading the result of step '" + step + "'",
        sql.workflowStepResult,
        ps -> {
          ps.setString(1, step);
          ps.setLong(2, jobId);
          return JdbcRows.optionalString(ps);
        });
  }

  @Override
  public boolean workflowCancel(long id, Instant now) {
    return inTransaction(
        "cancelling workflow " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.workflowMarkCancelled)) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setLong(2, id);
            if (ps.executeUpdate() == 0) {
              return false;
            }
          }
          update(c, sql.workflowCancelPending, Timestamp.from(now), Timestamp.from(now), id);
          List<Long> running = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql.workflowCancelRunning)) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setLong(2, id);
            running.addAll(ids(ps));
          }
          for (long r : running) {
            notify(c, Notifier.CANCEL, Long.toString(r));
          }
          return true;
        });
  }

  @Override
  public boolean workflowRetry(long id, Instant now) {
    return inTransaction(
        "retrying workflow " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.workflowUnmarkCancelled)) {
            ps.setLong(1, id);
            if (ps.executeUpdate() == 0) {
              return false;
            }
          }
          update(c, sql.workflowRearm, Timestamp.from(now), id);
          try (PreparedStatement ps = c.prepareStatement(sql.releaseWorkflow)) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setLong(2, id);
            ps.executeQuery().close();
          }
          return true;
        });
  }

  @Override
  public boolean leaderAttemptElect(String node, Duration ttl, Instant now) {
    try {
      return leader.attempt(node);
    } catch (SQLException e) {
      throw fail("electing a leader", e);
    }
  }

  @Override
  public void leaderResign(String node) {
    leader.resign(node);
  }

  @Override
  public Notifier notifier() {
    return notifier;
  }

  @Override
  public boolean supportsListenNotify() {
    return true;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    notifier.close();
    leader.close();
    if (ownedPool != null) {
      ownedPool.close();
    }
  }

  private OffloadException fail(String what, SQLException e) {
    return new OffloadException(what + " in " + description + " failed: " + e.getMessage(), e);
  }
}
