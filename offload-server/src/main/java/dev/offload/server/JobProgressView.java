package dev.offload.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job;
import dev.offload.Job.JobState;
import dev.offload.Job.Progress;
import dev.offload.server.JobSummary.LastError;
import java.time.Instant;

/**
 * A job as a read token shows it to the job's end user: its state, progress, result and the class
 * and message of its latest error. Not its args, checkpoint, failed item keys, node or stack
 * traces, which are the application's business.
 *
 * @param result the handler's result once the job succeeded, else null
 * @param error the class and message of the latest failed attempt, or null
 */
record JobProgressView(
    long id,
    String kind,
    JobState state,
    int attempt,
    int maxAttempts,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Progress progress,
    JsonNode result,
    LastError error) {

  static JobProgressView of(Job j) {
    return new JobProgressView(
        j.id().value(),
        j.kind(),
        j.state(),
        j.attempt(),
        j.maxAttempts(),
        j.createdAt(),
        j.startedAt(),
        j.finishedAt(),
        j.progress(),
        j.state() == JobState.SUCCEEDED ? j.result() : null,
        LastError.of(j, Integer.MAX_VALUE));
  }
}
