package dev.offload.store.jdbc;

import dev.offload.Job.JobState;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.WorkflowInsert;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * How both stores add steps to the workflow of a running step ({@code Store.workflowAddSteps}),
 * inside the store's write transaction: lock the adding step and check it, then for each added step
 * keep the one of that name if it exists, else insert it (waiting when it waits for steps or
 * groups) with its dependencies and groups, make the waiting steps of the groups it joins wait for
 * it, and refuse a dependency that would close a cycle. What happens to the waiting and the ready
 * steps afterwards is the store's.
 *
 * <p>A store subclasses this once with its statements ({@link Statements}), how it binds a list of
 * ids as one parameter, and how it records a step joining a group.
 */
public abstract class AddedSteps {
  private final JdbcRows rows;
  private final Statements sql;

  /**
   * A store's statements for adding steps.
   *
   * @param lockAddingStep locks the adding step (parameter: its id) and selects what {@link
   *     JdbcRows#addingStep} reads
   * @param stepByName selects the id of a step (parameters: workflow id, full step name)
   * @param insertStep inserts a step, its parameters bound as {@link JdbcRows#bindStep} binds them,
   *     and returns its id
   * @param depInsert records that a job (first parameter) waits for another
   * @param groupJoins locks and selects the waiting steps that wait for a group the new step
   *     belongs to (parameters: workflow id, the new step's name, its id)
   * @param dependsOnAny answers a row when one of the first ids waits, directly or not, for one of
   *     the second (both bound by {@link #bindIds})
   */
  public record Statements(
      String lockAddingStep,
      String stepByName,
      String insertStep,
      String depInsert,
      String groupJoins,
      String dependsOnAny) {}

  /** The ids of the steps, in the order given, and those of the steps inserted waiting. */
  public record Added(List<Long> ids, List<Long> waiting, List<String> readyQueues) {}

  protected AddedSteps(JdbcRows rows, Statements sql) {
    this.rows = rows;
    this.sql = sql;
  }

  /**
   * Adds {@code steps} to the workflow of the running step {@code parentJobId}, on {@code c} in the
   * store's transaction; a step whose full name ({@code parent/name}) exists is kept, not added
   * again. {@link Added#readyQueues} holds the queue of each step inserted ready to run.
   *
   * @throws IllegalStateException if the adding job is gone, not a running step, or its workflow
   *     was cancelled
   * @throws IllegalArgumentException if a step waits for a missing step or would close a cycle
   */
  public final Added add(Connection c, long parentJobId, List<WorkflowInsert.Added> steps)
      throws SQLException {
    JdbcRows.AddingStep parent;
    try (PreparedStatement ps = c.prepareStatement(sql.lockAddingStep())) {
      ps.setLong(1, parentJobId);
      try (ResultSet rs = ps.executeQuery()) {
        parent = JdbcRows.addingStep(rs, parentJobId);
      }
    }
    long workflowId = parent.workflowId();
    List<Long> ids = new ArrayList<>();
    List<Long> waiting = new ArrayList<>();
    List<String> ready = new ArrayList<>();
    for (WorkflowInsert.Added st : steps) {
      String name = parent.step() + "/" + st.name();
      Long existing = stepId(c, workflowId, name);
      if (existing != null) {
        ids.add(existing);
        continue;
      }
      List<Long> deps =
          JdbcRows.stepDependencies(name, st.after(), dep -> stepId(c, workflowId, dep));
      boolean waits = !deps.isEmpty() || !st.groups().isEmpty();
      JobInsert j = st.job();
      long id;
      try (PreparedStatement ps = c.prepareStatement(sql.insertStep())) {
        String state = waits ? JobState.WAITING.wireName() : j.state().wireName();
        rows.bindStep(ps, j, state, workflowId, name, st.onFailure());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          id = rs.getLong(1);
        }
      }
      for (long d : deps) {
        JdbcRows.update(c, sql.depInsert(), id, d);
      }
      for (String group : st.groups()) {
        joinGroup(c, workflowId, id, group + "/");
      }
      List<Long> joins;
      try (PreparedStatement ps = c.prepareStatement(sql.groupJoins())) {
        ps.setLong(1, workflowId);
        ps.setString(2, name);
        ps.setLong(3, id);
        joins = JdbcRows.ids(ps);
      }
      if (!joins.isEmpty() && !deps.isEmpty()) {
        try (PreparedStatement ps = c.prepareStatement(sql.dependsOnAny())) {
          bindIds(ps, 1, deps);
          bindIds(ps, 2, joins);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              throw new IllegalArgumentException(
                  "step '"
                      + name
                      + "' would close a cycle: a step it waits for waits for its group");
            }
          }
        }
      }
      for (long join : joins) {
        JdbcRows.update(c, sql.depInsert(), join, id);
      }
      if (waits) {
        waiting.add(id);
      } else {
        ready.add(j.queue());
      }
      ids.add(id);
    }
    return new Added(ids, waiting, ready);
  }

  /** Binds {@code ids} as the one parameter {@code index}, as the store's SQL reads a list. */
  protected abstract void bindIds(PreparedStatement ps, int index, List<Long> ids)
      throws SQLException;

  /**
   * Records that the new step {@code jobId} waits for the group {@code prefix} (a step's full name
   * and a slash): for the steps of the group that exist, and those added later.
   */
  protected abstract void joinGroup(Connection c, long workflowId, long jobId, String prefix)
      throws SQLException;

  private Long stepId(Connection c, long workflowId, String step) throws SQLException {
    return JdbcRows.singleId(c, sql.stepByName(), workflowId, step);
  }
}
