package dev.offload;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Which jobs a listing or a bulk action ({@link Offload#replay}, {@link Offload#purge}) applies to:
 * every non-null field must match.
 *
 * @param state or null for any
 * @param queue or null for any
 * @param kind or null for any
 * @param errorClass the class name of the job's latest error (at most 1,000 characters, no control
 *     characters), or null for any
 * @param finishedAfter only jobs that finished at or after this, or null
 * @param finishedBefore only jobs that finished before this, or null
 */
public record JobFilter(
    @Nullable JobState state,
    @Nullable String queue,
    @Nullable String kind,
    @Nullable String errorClass,
    @Nullable Instant finishedAfter,
    @Nullable Instant finishedBefore) {

  private static final JobFilter ANY = new JobFilter(null, null, null, null, null, null);

  public JobFilter {
    if (queue != null) {
      Validate.queueName(queue);
    }
    if (kind != null) {
      Validate.kind(kind);
    }
    if (errorClass != null
        && (errorClass.length() > 1000 || errorClass.chars().anyMatch(Character::isISOControl))) {
      throw new IllegalArgumentException(
          "errorClass must be a class name (at most 1000 characters, no control characters), got "
              + (errorClass.length() > 60 ? errorClass.substring(0, 57) + "..." : errorClass)
                  .replaceAll("\\p{Cntrl}", "?"));
    }
    if (finishedAfter != null
        && finishedBefore != null
        && !finishedAfter.isBefore(finishedBefore)) {
      throw new IllegalArgumentException(
          "finishedAfter " + finishedAfter + " must be before finishedBefore " + finishedBefore);
    }
  }

  public static JobFilter any() {
    return ANY;
  }

  /** The dead-letter queue: every dead job. */
  public static JobFilter dead() {
    return ANY.state(JobState.DEAD);
  }

  public JobFilter state(@Nullable JobState state) {
    return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
  }

  public JobFilter queue(@Nullable String queue) {
    return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
  }

  public JobFilter kind(@Nullable String kind) {
    return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
  }

  public JobFilter errorClass(@Nullable String errorClass) {
    return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
  }

  public JobFilter finishedAfter(@Nullable Instant finishedAfter) {
    return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
  }

  public JobFilter finishedBefore(@Nullable Instant finishedBefore) {
    return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
  }
}
