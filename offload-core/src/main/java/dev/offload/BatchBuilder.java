package dev.offload;

import dev.offload.store.JobInsert;
import dev.offload.store.Store;
import dev.offload.store.WorkflowInsert;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Enqueues many jobs as one batch, with a job that runs once when every job of the batch has ended
 * ({@code onComplete}) or succeeded ({@code onSuccess}), from {@link Offload#batch(String)}:
 *
 * <pre>{@code
 * WorkflowId batch = offload.batch("import-2026-11")
 *     .onComplete("import.report", new ReportArgs("2026-11"))
 *     .onSuccess("import.publish", null)
 *     .enqueueAll(requests);
 * }</pre>
 *
 * The callback's args (a JSON object, or null) get the batch's counts when it is released, under
 * {@code "batch"}: {@code {"id", "total", "succeeded", "dead", "cancelled"}}; a record with a
 * {@code batch} component reads them. {@code onSuccess} is cancelled when a job of the batch ends
 * dead or cancelled; {@code onComplete} runs either way.
 *
 * <p>A batch is a workflow (its jobs are the steps {@code job-1} to {@code job-N}, the callbacks
 * {@code onComplete} and {@code onSuccess}): {@link Offload#workflow(WorkflowId)}, {@code GET
 * /api/workflows/{id}} and {@code offload workflow ID} show it, and the callback is released in the
 * transaction that ends the last job, so it runs once even when the last two jobs end on two nodes
 * at the same moment. The batch's jobs take their kind's options, their queue and priority; run
 * times, idempotency, concurrency and unique keys are not for batch jobs.
 *
 * <p>Not thread-safe; build one per batch.
 */
public final class BatchBuilder {
  private final String name;
  private final Store store;
  private final Function<List<JobRequest>, List<JobInsert>> validate;
  private final InstantSource clock;
  private @Nullable JobRequest onComplete;
  private @Nullable JobRequest onSuccess;

  BatchBuilder(
      String name,
      Store store,
      Function<List<JobRequest>, List<JobInsert>> validate,
      InstantSource clock) {
    if (name == null || name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException(
          "a batch's name must be 1-200 characters, got "
              + (name == null ? "null" : "'" + name + "'"));
    }
    this.name = name;
    this.store = store;
    this.validate = validate;
    this.clock = clock;
  }

  /** The job that runs once every job of the batch has ended, however it ended. */
  public BatchBuilder onComplete(String kind, @Nullable Object args) {
    this.onComplete = JobRequest.of(kind, args);
    return this;
  }

  /** The job that runs once every job of the batch has succeeded (cancelled if one did not). */
  public BatchBuilder onSuccess(String kind, @Nullable Object args) {
    this.onSuccess = JobRequest.of(kind, args);
    return this;
  }

  /**
   * Enqueues the jobs and the callbacks in one transaction; nothing is written when it throws.
   *
   * @return the batch (a workflow)
   * @throws IllegalArgumentException naming the job at fault (an unknown kind, bad args, an option
   *     batches do not take), or when there are no jobs or no callback
   */
  public WorkflowId enqueueAll(List<JobRequest> requests) {
    Objects.requireNonNull(requests, "requests");
    if (requests.isEmpty()) {
      throw new IllegalArgumentException("batch '" + name + "' has no jobs");
    }
    if (onComplete == null && onSuccess == null) {
      throw new IllegalArgumentException(
          "batch '" + name + "' has neither onComplete nor onSuccess: use enqueueAll without one");
    }
    List<JobRequest> all = new ArrayList<>(requests);
    if (onComplete != null) {
      all.add(onComplete);
    }
    if (onSuccess != null) {
      all.add(onSuccess);
    }
    List<JobInsert> jobs = validate.apply(all);
    List<WorkflowInsert.Step> steps = new ArrayList<>();
    List<Integer> everyJob = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      JobInsert j = jobs.get(i);
      if (j.idempotencyKey() != null || j.concurrencyKey() != null || j.uniqueKey() != null) {
        throw new IllegalArgumentException(
            "job "
                + (i + 1)
                + " of batch '"
                + name
                + "': batch jobs take no idempotency, concurrency or unique key");
      }
      if (j.state() != JobState.AVAILABLE) {
        throw new IllegalArgumentException(
            "job " + (i + 1) + " of batch '" + name + "': batch jobs take no run time or delay");
      }
      steps.add(new WorkflowInsert.Step("job-" + (i + 1), j, List.of(), "cancel"));
      everyJob.add(i);
    }
    int at = requests.size();
    if (onComplete != null) {
      steps.add(callback("onComplete", jobs.get(at++), everyJob, OnFailure.CONTINUE));
    }
    if (onSuccess != null) {
      steps.add(callback("onSuccess", jobs.get(at), everyJob, OnFailure.CANCEL));
    }
    return new WorkflowId(
        store.workflowInsert(new WorkflowInsert(name, clock.instant(), steps, /* batch= */ true)));
  }

  private WorkflowInsert.Step callback(
      String step, JobInsert job, List<Integer> after, OnFailure onFailure) {
    String args = job.argsJson() == null ? "null" : job.argsJson().strip();
    if (!args.equals("null") && !args.startsWith("{")) {
      throw new IllegalArgumentException(
          step
              + " of batch '"
              + name
              + "': args must be a JSON object or null (the batch's counts are added to it), got "
              + (args.length() > 40 ? args.substring(0, 40) + "..." : args));
    }
    return new WorkflowInsert.Step(step, job, after, onFailure.wireName());
  }
}
