package dev.offload.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How both stores migrate their schema: numbered SQL scripts ({@code NNN_name.sql}, the number
 * before the first underscore is the version), applied in order inside one transaction the store
 * holds, each recorded in a migrations table with its version. A store names its scripts and
 * supplies its own SQL: the lock and table it needs first, how a script runs, how a version is
 * recorded, and how the recorded versions are read.
 */
public abstract class SchemaMigrations {
  private final List<String> files;
  private final Statements sql;

  /**
   * A store's statements about its migrations table.
   *
   * @param applied selects every recorded version
   * @param tableExists answers a row whose first column is true when the migrations table exists,
   *     or no row
   * @param current selects the newest recorded version (0 when none)
   * @param record records a version; its parameters are bound by {@link #bindRecord}
   */
  public record Statements(String applied, String tableExists, String current, String record) {}

  /**
   * @param files the scripts in order; append, never edit
   * @param sql the statements about the migrations table
   */
  protected SchemaMigrations(List<String> files, Statements sql) {
    this.files = List.copyOf(files);
    this.sql = sql;
    for (String file : this.files) {
      version(file);
    }
  }

  /**
   * The scripts both stores have, under the same names and versions, each written in its own SQL: a
   * change both schemas need is one version in both. Append, never edit.
   */
  private static final List<String> BOTH_STORES =
      List.of(
          "001_jobs.sql",
          "002_schedules.sql",
          "003_workflows.sql",
          "004_job_starts.sql",
          "005_flow_control.sql",
          "006_job_headers.sql",
          "007_fan_out_batches.sql",
          "008_push.sql",
          "011_queue_slots.sql");

  /**
   * A store's scripts in version order: the ones both stores have (001 to 008, 011) and {@code
   * own}, the ones only that store has.
   *
   * @throws IllegalArgumentException if two scripts have one version
   */
  public static List<String> files(String... own) {
    List<String> files = new ArrayList<>(BOTH_STORES);
    files.addAll(List.of(own));
    files.sort(Comparator.comparingInt(SchemaMigrations::version));
    for (int i = 1; i < files.size(); i++) {
      if (version(files.get(i)) == version(files.get(i - 1))) {
        throw new IllegalArgumentException(
            "migrations " + files.get(i - 1) + " and " + files.get(i) + " have one version");
      }
    }
    return List.copyOf(files);
  }

  /** The newest version among {@code files}: the newest one a store's code knows. */
  public static int latest(List<String> files) {
    int latest = 0;
    for (String file : files) {
      latest = Math.max(latest, version(file));
    }
    return latest;
  }

  /** The version of a script: the number before the first underscore of its name. */
  public static int version(String file) {
    int end = file.indexOf('_');
    if (end < 1) {
      throw new IllegalArgumentException("a migration is named NNN_name.sql, got " + file);
    }
    return Integer.parseInt(file.substring(0, end));
  }

  /**
   * Applies the scripts whose version is not recorded yet, on {@code c} in the caller's
   * transaction; the caller commits. Returns how many it applied.
   */
  public final int apply(Connection c) throws SQLException {
    prepare(c);
    Set<Integer> applied = new HashSet<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql.applied())) {
      while (rs.next()) {
        applied.add(rs.getInt(1));
      }
    }
    int count = 0;
    for (String file : files) {
      int version = version(file);
      if (applied.contains(version)) {
        continue;
      }
      run(c, file, script(file));
      try (PreparedStatement ps = c.prepareStatement(sql.record())) {
        bindRecord(ps, version, file);
        ps.executeUpdate();
      }
      applied(file);
      count++;
    }
    return count;
  }

  /**
   * The newest version recorded, or 0 when there is no migrations table (a database without
   * Offload's schema). Only reads.
   */
  public final int current(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery(sql.tableExists())) {
        if (!rs.next() || !rs.getBoolean(1)) {
          return 0;
        }
      }
      try (ResultSet rs = s.executeQuery(sql.current())) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  /**
   * Takes what the migration needs before it reads the recorded versions: a lock against other
   * nodes, the schema, the migrations table.
   */
  protected abstract void prepare(Connection c) throws SQLException;

  /** Binds the parameters of {@link Statements#record()} for {@code version} ({@code file}). */
  protected abstract void bindRecord(PreparedStatement ps, int version, String file)
      throws SQLException;

  /** Runs the script {@code file} whose text is {@code script}. */
  protected abstract void run(Connection c, String file, String script) throws SQLException;

  /**
   * Opens the script {@code file}, or null when it is missing: the store reads its own resources
   * (its module does not open them to this one).
   */
  protected abstract InputStream open(String file);

  /** Called after {@code file} was applied (and recorded), for instance to log it. */
  protected void applied(String file) {}

  private String script(String file) {
    try (InputStream in = open(file)) {
      if (in == null) {
        throw new IllegalStateException("migration " + file + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading migration " + file + " failed", e);
    }
  }
}
