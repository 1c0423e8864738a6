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

  record LastError(String errorClass, String message) {}

  static JobSummary of(Job j) {
    JobError e = j.errors().isEmpty() ? null : j.errors().get(j.errors().size() - 1);
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
        e == null ? null : new LastError(e.errorClass(), shorten(e.message())),
        j.failedItems() == null ? 0 : j.failedItems().count(),
        j.parentId() == null ? null : j.parentId().value(),
        j.schedule());
  }

  private static String shorten(String message) {
    return message == null || message.length() <= 500 ? message : message.substring(0, 497) + "...";
  }
}
