package dev.offload.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.offload.Job;
import dev.offload.Job.FailedItems;
import dev.offload.Job.JobError;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Job.Progress;
import dev.offload.internal.Json;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.StuckJob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

/** Reads rows into records and binds the nullable values, times as epoch milliseconds. */
final class Rows {
  private static final TypeReference<List<JobError>> ERRORS = new TypeReference<>() {};

  private Rows() {}

  /** A row of {@link Sql#JOB_COLUMNS}. */
  static Job job(ResultSet rs) throws SQLException {
    return job(rs, true, true);
  }

  /**
   * A row of the job columns; a field not read is a missing node (see {@link
   * dev.offload.Job.JobQuery#fields}).
   */
  static Job job(ResultSet rs, boolean withArgs, boolean withResult) throws SQLException {
    return new Job(
        JobId.of(rs.getLong("id")),
        rs.getString("kind"),
        rs.getString("queue"),
        JobState.fromWire(rs.getString("state")),
        rs.getInt("priority"),
        withArgs ? Json.tree(rs.getString("args")) : MissingNode.getInstance(),
        rs.getInt("attempt"),
        rs.getInt("max_attempts"),
        instant(rs, "run_at"),
        instant(rs, "created_at"),
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        rs.getString("lease_owner"),
        errors(rs.getLong("id"), rs.getString("errors")),
        withResult ? Json.tree(rs.getString("result")) : MissingNode.getInstance(),
        read(rs.getLong("id"), rs.getString("progress"), Progress.class),
        Json.tree(rs.getString("checkpoint")),
        read(rs.getLong("id"), rs.getString("failed_items"), FailedItems.class),
        parentId(rs),
        rs.getString("schedule"),
        nullableLong(rs, "workflow_id"),
        rs.getString("step"),
        rs.getString("concurrency_key"),
        rs.getString("unique_key"),
        null);
  }

  static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  private static JobId parentId(ResultSet rs) throws SQLException {
    long parent = rs.getLong("parent_id");
    return rs.wasNull() ? null : JobId.of(parent);
  }

  private static <T> T read(long id, String json, Class<T> type) {
    if (json == null) {
      return null;
    }
    try {
      return Json.read(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "job "
              + id
              + " has malformed "
              + type.getSimpleName()
              + " JSON: "
              + e.getOriginalMessage(),
          e);
    }
  }

  /** A row returned by {@link Sql#CLAIM}. */
  static ClaimedJob claimed(ResultSet rs, long token) throws SQLException {
    return new ClaimedJob(
        rs.getLong("id"),
        rs.getString("kind"),
        rs.getString("queue"),
        rs.getString("args"),
        rs.getInt("attempt"),
        rs.getInt("max_attempts"),
        rs.getInt("priority"),
        rs.getString("checkpoint"),
        rs.getString("failed_items"),
        rs.getString("retry_items"),
        token,
        instant(rs, "run_at"),
        rs.getString("headers"));
  }

  /** A row of {@link Sql#GET_STUCK}. */
  static StuckJob stuck(ResultSet rs, Instant checkedAt) throws SQLException {
    return new StuckJob(
        rs.getLong("id"),
        rs.getString("kind"),
        rs.getInt("attempt"),
        rs.getInt("max_attempts"),
        rs.getLong("claim_token"),
        rs.getString("lease_owner"),
        checkedAt);
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  static Integer nullableInt(ResultSet rs, int column) throws SQLException {
    int v = rs.getInt(column);
    return rs.wasNull() ? null : v;
  }

  static Long nullableLong(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.INTEGER);
    } else {
      ps.setLong(index, value.toEpochMilli());
    }
  }

  private static List<JobError> errors(long id, String json) {
    try {
      return Json.read(json, ERRORS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "job " + id + " has malformed errors JSON: " + e.getOriginalMessage(), e);
    }
  }
}
