package dev.offload.engine;

import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.store.Store.Completion;
import java.time.Duration;
import java.time.Instant;

/**
 * The one place a failed attempt's fate is decided, whether its handler threw ({@code Engine}) or
 * its worker was lost ({@link Rescuer}): {@code retrying} after the kind's backoff, or {@code dead}
 * when the error is permanent or the attempts are used up.
 */
final class RetryOrDead {
  private RetryOrDead() {}

  /**
   * The end of a failed attempt.
   *
   * @param options the kind's options ({@link JobOptions#defaults()} for a kind this node does not
   *     know)
   * @param error what the handler threw, or null for a lost worker (never permanent)
   * @param errorJson the attempt's {@code JobError} as JSON
   * @param leaseExpiredBefore for the rescuer, write only if the lease expired before this; else
   *     null
   * @param progressJson the attempt's last progress, or null to keep what is stored
   */
  static Completion failed(
      long id,
      long token,
      int attempt,
      int maxAttempts,
      JobOptions options,
      Throwable error,
      Instant now,
      String errorJson,
      Instant leaseExpiredBefore,
      String progressJson) {
    boolean permanent = error != null && options.isPermanent(error);
    Duration delay =
        permanent || attempt >= maxAttempts ? null : options.retryPolicy().delay(attempt);
    // A failed attempt keeps the failed items its last checkpoint stored: the next attempt resumes
    // from that checkpoint and records the later ones again.
    if (delay == null) {
      return new Completion(
          id,
          token,
          JobState.DEAD,
          now,
          null,
          null,
          errorJson,
          leaseExpiredBefore,
          progressJson,
          null,
          false);
    }
    return new Completion(
        id,
        token,
        JobState.RETRYING,
        now,
        now.plus(delay),
        null,
        errorJson,
        leaseExpiredBefore,
        progressJson,
        null,
        false);
  }
}
