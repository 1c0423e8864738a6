package dev.offload.store;

import dev.offload.JobState;
import java.time.Instant;
import java.util.Objects;

/**
 * The end of one attempt: written only when the job is still running under {@code token} (and, for
 * a rescue, only when its lease expired before {@code leaseExpiredBefore}).
 *
 * @param id the job
 * @param token the claim token of the attempt
 * @param state succeeded, retrying, dead or cancelled
 * @param at when the attempt ended; becomes finished_at for a final state
 * @param runAt when a retrying job may run again; null otherwise
 * @param resultJson the result, or null
 * @param errorJson a {@code JobError} as JSON to append to the job's errors, or null
 * @param leaseExpiredBefore for the rescuer: write only if the lease expired before this instant of
 *     the store's clock ({@link StuckJob#checkedAt()}); else null
 * @param progressJson the attempt's last progress, or null to keep what is stored
 * @param failedItemsJson the items that failed so far, or null to keep what is stored
 * @param refundAttempt give the attempt back (a snooze): the next claim reuses its number
 * @param startedAt when the attempt's handler started, written when its start was not written yet
 *     (a short job ends before its start is); null for none (a rescue)
 *     <p>A job whose cancellation was requested ends {@code cancelled} whatever the attempt's
 *     outcome unless it succeeded: the store applies that, since the request may come from any
 *     node.
 */
public record Completion(
    long id,
    long token,
    JobState state,
    Instant at,
    Instant runAt,
    String resultJson,
    String errorJson,
    Instant leaseExpiredBefore,
    String progressJson,
    String failedItemsJson,
    boolean refundAttempt,
    Instant startedAt) {
  public Completion {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(at, "at");
    if (state == JobState.RETRYING) {
      Objects.requireNonNull(runAt, "runAt of a retrying job");
    } else if (!state.isFinal()) {
      throw new IllegalArgumentException(
          "an attempt ends succeeded, retrying, dead or cancelled, not " + state);
    }
  }

  /** An end without progress or failed items to write. */
  public Completion(
      long id,
      long token,
      JobState state,
      Instant at,
      Instant runAt,
      String resultJson,
      String errorJson,
      Instant leaseExpiredBefore) {
    this(
        id,
        token,
        state,
        at,
        runAt,
        resultJson,
        errorJson,
        leaseExpiredBefore,
        null,
        null,
        false,
        null);
  }

  /** An end with progress and failed items, its start unknown. */
  public Completion(
      long id,
      long token,
      JobState state,
      Instant at,
      Instant runAt,
      String resultJson,
      String errorJson,
      Instant leaseExpiredBefore,
      String progressJson,
      String failedItemsJson,
      boolean refundAttempt) {
    this(
        id,
        token,
        state,
        at,
        runAt,
        resultJson,
        errorJson,
        leaseExpiredBefore,
        progressJson,
        failedItemsJson,
        refundAttempt,
        null);
  }

  /** This end, with the time its handler started. */
  public Completion startedAt(Instant handlerStarted) {
    return new Completion(
        id,
        token,
        state,
        at,
        runAt,
        resultJson,
        errorJson,
        leaseExpiredBefore,
        progressJson,
        failedItemsJson,
        refundAttempt,
        handlerStarted);
  }
}
