package dev.offload.sqlite;

import dev.offload.Job;
import dev.offload.JobPage;
import dev.offload.JobQuery;
import dev.offload.internal.Json;
import dev.offload.store.ClaimParams;
import dev.offload.store.ClaimedJob;
import dev.offload.store.Completion;
import dev.offload.store.JobInsert;
import dev.offload.store.LeasedJob;
import dev.offload.store.LocalNotifier;
import dev.offload.store.Notifier;
import dev.offload.store.ProgressUpdate;
import dev.offload.store.Store;
import dev.offload.store.StuckJob;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The embedded store: Offload's jobs in one SQLite file, with nothing to install or run.
 *
 * <p>Usage: {@code Offload.builder().store(SqliteStore.open(Path.of("offload.db")))}; the builder
 * migrates the schema on {@code build()}.
 *
 * <p>Options, fixed: write-ahead logging ({@code journal_mode=WAL}, so readers never wait for the
 * writer), {@code synchronous=NORMAL} (durable across process crashes; a power loss may lose the
 * last transactions), a busy timeout of 5 s, foreign keys on. Several processes may share the
 * file; see the package documentation for the limits.
 *
 * <p>Events: publishes {@link Notifier#INSERT} with the queue name on its {@link LocalNotifier}
 * after inserting or releasing jobs, which wakes the workers of this JVM only.
 *
 * <p>Thread-safe: calls take turns on one connection.
 */
public final class SqliteStore implements Store {
  private final Database db;
  private final LocalNotifier notifier = new LocalNotifier();

  private SqliteStore(Database db) {
    this.db = db;
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

  @Override
  public void migrate() {
    db.write("migrating the schema", c -> Migrations.apply(c, System.currentTimeMillis()));
  }

  @Override
  public List<Long> jobInsertMany(List<JobInsert> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    List<Long> ids = db.write("inserting " + jobs.size() + " jobs", c -> insert(c, jobs));
    Set<String> queues = new LinkedHashSet<>();
    jobs.forEach(j -> queues.add(j.queue()));
    wake(queues);
    return ids;
  }

  @Override
  public List<Long> jobInsertMany(Connection tx, List<JobInsert> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    // No wake-up: the jobs exist only once the caller commits, which this store does not see.
    // Workers find them on their next poll.
    try {
      return insert(tx, jobs);
    } catch (SQLException e) {
      throw db.failure("inserting " + jobs.size() + " jobs on the caller's connection", e);
    }
  }

  private static List<Long> insert(Connection c, List<JobInsert> jobs) throws SQLException {
    List<Long> ids = new ArrayList<>(jobs.size());
    try (PreparedStatement ps = c.prepareStatement(Sql.INSERT)) {
      for (JobInsert job : jobs) {
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
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          ids.add(rs.getLong(1));
        }
      }
    }
    return ids;
  }

  @Override
  public List<ClaimedJob> jobClaim(ClaimParams p) {
    if (p.kinds().isEmpty()) {
      return List.of();
    }
    return db.write("claiming jobs of queue '" + p.queue() + "'", c -> {
      List<Claimed> claimed = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(Sql.CLAIM)) {
        ps.setString(1, p.node());
        Rows.setInstant(ps, 2, p.leaseUntil());
        ps.setLong(3, p.token());
        Rows.setInstant(ps, 4, p.now());
        ps.setString(5, p.queue());
        ps.setString(6, Json.write(p.kinds()));
        ps.setInt(7, p.limit());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            claimed.add(new Claimed(Rows.claimed(rs, p.token()), rs.getLong("run_at")));
          }
        }
      }
      claimed.sort(CLAIM_ORDER);
      return claimed.stream().map(Claimed::job).toList();
    });
  }

  /** A claimed job with the run_at it was claimed by, to restore the claim order. */
  private record Claimed(ClaimedJob job, long runAt) {}

  /** Claim order (priority, run_at, id), which RETURNING does not keep. */
  private static final Comparator<Claimed> CLAIM_ORDER =
      Comparator.<Claimed>comparingInt(c -> c.job().priority())
          .thenComparingLong(Claimed::runAt)
          .thenComparingLong(c -> c.job().id());

  @Override
  public List<Long> jobCompleteMany(List<Completion> completions) {
    if (completions.isEmpty()) {
      return List.of();
    }
    List<Long> written = db.write("completing " + completions.size() + " jobs", c -> {
      List<Long> ids = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(Sql.COMPLETE)) {
        for (Completion done : completions) {
          ps.setString(1, done.state().wireName());
          Rows.setInstant(ps, 2, done.state().isFinal() ? done.at() : null);
          Rows.setInstant(ps, 3, done.runAt());
          ps.setString(4, done.resultJson());
          ps.setString(5, done.errorJson());
          ps.setLong(6, done.id());
          ps.setLong(7, done.token());
          Rows.setInstant(ps, 8, done.leaseExpiredBefore());
          ps.setString(9, done.progressJson());
          ps.setString(10, done.failedItemsJson());
          if (ps.executeUpdate() == 1) {
            ids.add(done.id());
          }
        }
      }
      return ids;
    });
    changed(written);
    return written;
  }

  @Override
  public List<Long> jobProgressMany(List<ProgressUpdate> updates) {
    if (updates.isEmpty()) {
      return List.of();
    }
    List<Long> written = db.write("writing the progress of " + updates.size() + " jobs", c -> {
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
  public boolean jobCheckpoint(long id, long token, String checkpointJson, String failedItemsJson) {
    boolean written = db.write("writing the checkpoint of job " + id, c -> {
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
    return db.read("reading earlier progress of kind '" + kind + "'", c -> {
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
      notifier.publish(Notifier.JOB, chunk.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
    }
  }

  @Override
  public int jobHeartbeat(String node, Collection<Long> ids, Instant leaseUntil) {
    if (ids.isEmpty()) {
      return 0;
    }
    return db.write("extending the leases of node " + node, c -> {
      try (PreparedStatement ps = c.prepareStatement(Sql.HEARTBEAT)) {
        Rows.setInstant(ps, 1, leaseUntil);
        ps.setString(2, node);
        ps.setString(3, Json.write(ids));
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public int jobReleaseMany(List<LeasedJob> jobs, Instant now) {
    if (jobs.isEmpty()) {
      return 0;
    }
    Released released = db.write("releasing " + jobs.size() + " jobs", c -> {
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
  public List<StuckJob> jobGetStuck(Instant now, int limit) {
    return db.read("reading jobs with expired leases", c -> {
      List<StuckJob> stuck = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(Sql.GET_STUCK)) {
        Rows.setInstant(ps, 1, now);
        ps.setInt(2, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            stuck.add(Rows.stuck(rs));
          }
        }
      }
      return stuck;
    });
  }

  @Override
  public Optional<Job> jobGet(long id) {
    return db.read("reading job " + id, c -> {
      try (PreparedStatement ps = c.prepareStatement(Sql.GET)) {
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(Rows.job(rs)) : Optional.empty();
        }
      }
    });
  }

  @Override
  public JobPage jobList(JobQuery q) {
    String sql = Sql.list(q.state() != null, q.queue() != null, q.kind() != null);
    List<Job> jobs = db.read("listing jobs", c -> {
      List<Job> page = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        int i = 1;
        ps.setLong(i++, q.beforeId());
        if (q.state() != null) {
          ps.setString(i++, q.state().wireName());
        }
        if (q.queue() != null) {
          ps.setString(i++, q.queue());
        }
        if (q.kind() != null) {
          ps.setString(i++, q.kind());
        }
        ps.setInt(i, q.limit());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            page.add(Rows.job(rs));
          }
        }
      }
      return page;
    });
    return JobPage.of(jobs, q.limit());
  }

  @Override
  public void kindAnnounce(Collection<String> kinds, Instant now) {
    if (kinds.isEmpty()) {
      return;
    }
    db.write("announcing kinds " + kinds, c -> {
      try (PreparedStatement ps = c.prepareStatement(Sql.KIND_ANNOUNCE)) {
        Rows.setInstant(ps, 1, now);
        ps.setString(2, Json.write(kinds));
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public boolean kindKnown(String kind) {
    return db.read("looking up kind '" + kind + "'", c -> {
      try (PreparedStatement ps = c.prepareStatement(Sql.KIND_KNOWN)) {
        ps.setString(1, kind);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  @Override
  public boolean leaderAttemptElect(String node, Duration ttl, Instant now) {
    return db.write("electing a leader", c -> {
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
    db.write("resigning the leadership of node " + node, c -> {
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
