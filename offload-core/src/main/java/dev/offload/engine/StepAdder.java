package dev.offload.engine;

import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job.JobId;
import dev.offload.JobContext;
import dev.offload.Workflow.StepOptions;
import dev.offload.Workflow.WorkflowId;
import dev.offload.store.Store;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.WorkflowInsert;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code ctx.workflow()}: adds steps to the workflow of a running step (fan-out). The store writes
 * each step with the dependencies of the steps that wait for its group, in one transaction that
 * holds the running step's row, so a join cannot be released between the last added step ending and
 * the next one being added: the join waits for the adding step too.
 */
final class StepAdder implements JobContext.WorkflowSteps {
  /** The names a workflow's steps may have; '/' separates an added step from its parent. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  private final long parentJobId;
  private final Store store;
  private final Enqueuer enqueuer;
  private final InstantSource clock;
  private volatile @Nullable WorkflowId workflowId;

  StepAdder(long parentJobId, Store store, Enqueuer enqueuer, InstantSource clock) {
    this.parentJobId = parentJobId;
    this.store = store;
    this.enqueuer = enqueuer;
    this.clock = clock;
  }

  @Override
  public WorkflowId id() {
    WorkflowId id = workflowId;
    if (id == null) {
      Long stored =
          store
              .jobGet(parentJobId)
              .map(dev.offload.Job::workflowId)
              .orElseThrow(
                  () -> new IllegalStateException("job " + parentJobId + " no longer exists"));
      if (stored == null) {
        throw new IllegalStateException("job " + parentJobId + " is not a workflow step");
      }
      id = new WorkflowId(stored);
      workflowId = id;
    }
    return id;
  }

  @Override
  public JobId add(String name, String kind, @Nullable Object args, StepOptions options) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "step name must be 1-128 letters, digits, '.', '_', ':' or '-' (starting with a letter or digit), got "
              + (name == null ? "null" : "'" + name + "'"));
    }
    List<String> after = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    for (String dep : options.after()) {
      String step = dep.endsWith("/*") ? dep.substring(0, dep.length() - 2) : dep;
      if (dep.endsWith("/*") && !groups.contains(step)) {
        groups.add(step);
      }
      if (!after.contains(step)) {
        after.add(step);
      }
    }
    EnqueueOptions o = EnqueueOptions.none();
    if (options.queue() != null) {
      o = o.queue(options.queue());
    }
    if (options.priority() != null) {
      o = o.priority(options.priority());
    }
    JobInsert job;
    try {
      job = enqueuer.inserts(List.of(JobRequest.of(kind, args, o))).get(0);
    } catch (IllegalArgumentException e) {
      if (e instanceof dev.offload.OffloadException.UnknownKindException) {
        throw e;
      }
      throw new IllegalArgumentException("step '" + name + "': " + e.getMessage(), e);
    }
    List<Long> ids =
        store.workflowAddSteps(
            parentJobId,
            clock.instant(),
            List.of(
                new WorkflowInsert.Added(
                    name, job, after, groups, options.onFailure().wireName())));
    return new JobId(ids.get(0));
  }
}
