package dev.offload.engine;

import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.engine.Node.Registration;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.Completion;
import dev.offload.store.Store.StuckJob;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The one place a failed attempt's fate is decided, whether its handler threw ({@code Engine}) or
 * its worker was lost ({@link Rescuer}): {@code retrying} after the kind's backoff, or {@code dead}
 * when the error is permanent or the attempts are used up.
 */
final class RetryOrDead {
  private RetryOrDead() {}

  /** A kind's options; {@link JobOptions#defaults()} for a kind this node does not register. */
  static JobOptions options(@Nullable Registration<?> registration) {
    return registration == null ? JobOptions.defaults() : registration.options();
  }

  /**
   * The end of an attempt whose handler threw {@code error}.
   *
   * @param errorJson the attempt's {@code JobError} as JSON
   * @param progressJson the attempt's last progress, or null to keep what is stored
   */
  static Completion failed(
      ClaimedJob job,
      JobOptions options,
      Throwable error,
      Instant now,
      String errorJson,
      @Nullable String progressJson) {
    Instant retryAt =
        retryAt(options.isPermanent(error), job.attempt(), job.maxAttempts(), options, now);
    return end(job.id(), job.token(), retryAt, now, errorJson, null, progressJson);
  }

  /**
   * The end of an attempt whose worker was lost (never permanent), written only if its lease
   * expired before the rescuer looked ({@link StuckJob#checkedAt()}).
   */
  static Completion lost(StuckJob job, JobOptions options, Instant now, String errorJson) {
    Instant retryAt = retryAt(false, job.attempt(), job.maxAttempts(), options, now);
    return end(job.id(), job.token(), retryAt, now, errorJson, job.checkedAt(), null);
  }

  /** When the failed attempt's job runs again; null when it is dead. */
  private static @Nullable Instant retryAt(
      boolean permanent, int attempt, int maxAttempts, JobOptions options, Instant now) {
    Duration delay =
        permanent || attempt >= maxAttempts ? null : options.retryPolicy().delay(attempt);
    return delay == null ? null : now.plus(delay);
  }

  private static Completion end(
      long id,
      long token,
      @Nullable Instant retryAt,
      Instant now,
      String errorJson,
      @Nullable Instant leaseExpiredBefore,
      @Nullable String progressJson) {
    // A failed attempt keeps the failed items its last checkpoint stored: the next attempt resumes
    // from that checkpoint and records the later ones again.
    return new Completion(
        id,
        token,
        retryAt == null ? JobState.DEAD : JobState.RETRYING,
        now,
        retryAt,
        /* resultJson= */ null,
        errorJson,
        leaseExpiredBefore,
        progressJson,
        /* failedItemsJson= */ null,
        /* refundAttempt= */ false,
        /* startedAt= */ null);
  }
}
