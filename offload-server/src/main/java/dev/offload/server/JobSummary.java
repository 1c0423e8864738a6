package dev.offload.server;

import dev.offload.Job;
import dev.offload.Job.JobError;
import dev.offload.Job.JobState;
import dev.offload.Job.Progress;
import java.time.Instant;

/**
 * A job as the dashboard's live table shows it: the job document without args, result, checkpoint,
 * failed items and stack traces, so that a page of them costs the same whatever the jobs hold. The
 * full document is {@code GET /api/jobs/{id}}.
 *
 * @param lastError the class and message of the latest failed attempt, or null
 * @param failedItems how many items failed without failing the job
 * @param schedule the schedule that made the job, or null
 */
record JobSummary(
    long id,
    String kind,
    String queue,
    JobState state,
    int priority,
    int attempt,
    int maxAttempts,
    Instant runAt,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    String node,
    Progress progress,
    LastError lastError,
    long failedItems,
    Long parentId,
    String schedule) {

  /** The class and message of a job's latest failed attempt, without its stack trace or node. */
  record LastError(String errorClass, String message) {
    /** Null when no attempt failed yet; a message longer than {@code maxLength} is cut short. */
    static LastError of(Job j, int maxLength) {
      if (j.errors().isEmpty()) {
        return null;
      }
      JobError e = j.errors().get(j.errors().size() - 1);
      String m = e.message();
      return new LastError(
          e.errorClass(),
          m == null || m.length() <= maxLength ? m : m.substring(0, maxLength - 3) + "...");
    }
  }

  static JobSummary of(Job j) {
    Progress p = j.progress();
    return new JobSummary(
        j.id().value(),
        j.kind(),
        j.queue(),
        j.state(),
        j.priority(),
        j.attempt(),
        j.maxAttempts(),
        j.runAt(),
        j.createdAt(),
        j.startedAt(),
        j.finishedAt(),
        j.node(),
        p,
        LastError.of(j, /* maxLength= */ 500),
        j.failedItems() == null ? 0 : j.failedItems().count(),
        j.parentId() == null ? null : j.parentId().value(),
        j.schedule());
  }
}
