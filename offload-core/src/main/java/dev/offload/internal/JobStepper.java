package dev.offload.internal;

import java.util.OptionalLong;

/**
 * Runs an {@code Offload}'s jobs one at a time on the calling thread, without workers: the test
 * kit's manual and inline modes. Obtained with {@link OffloadInternals.Access#stepper}.
 */
public interface JobStepper {
  /**
   * Claims the next due job that this Offload has a handler for (queue by queue, in name order;
   * within a queue by priority, run time and id, as a worker does) and runs one attempt of it on
   * the calling thread, with the Offload's clock; its outcome (result, retry, death) is written
   * before this returns. Per-kind timeouts do not apply.
   *
   * @return the id of the job it ran, or empty when no job is due
   */
  OptionalLong runNext();
}
