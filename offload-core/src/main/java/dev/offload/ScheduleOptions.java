package dev.offload;

import org.jspecify.annotations.Nullable;

/**
 * Options of a schedule's jobs and its catch-up policy; each unset job option falls back to the
 * kind's {@link JobOptions}. Immutable: each method returns a copy.
 *
 * @param queue the jobs' queue, or null for the kind's
 * @param priority 0 (runs first) to 9, or null for the kind's
 * @param maxAttempts or null for the kind's
 * @param catchUp what to do about ticks missed while no node ran; default {@link CatchUp#LATEST}
 */
public record ScheduleOptions(
    @Nullable String queue,
    @Nullable Integer priority,
    @Nullable Integer maxAttempts,
    CatchUp catchUp) {
  private static final ScheduleOptions DEFAULTS =
      new ScheduleOptions(null, null, null, CatchUp.LATEST);

  public ScheduleOptions {
    if (queue != null) {
      Validate.queueName(queue);
    }
    if (priority != null) {
      Validate.priority(priority);
    }
    if (maxAttempts != null) {
      Validate.maxAttempts(maxAttempts);
    }
    if (catchUp == null) {
      catchUp = CatchUp.LATEST;
    }
  }

  public static ScheduleOptions defaults() {
    return DEFAULTS;
  }

  public ScheduleOptions queue(String queue) {
    return new ScheduleOptions(queue, priority, maxAttempts, catchUp);
  }

  public ScheduleOptions priority(int priority) {
    return new ScheduleOptions(queue, priority, maxAttempts, catchUp);
  }

  public ScheduleOptions maxAttempts(int maxAttempts) {
    return new ScheduleOptions(queue, priority, maxAttempts, catchUp);
  }

  public ScheduleOptions catchUp(CatchUp catchUp) {
    return new ScheduleOptions(queue, priority, maxAttempts, catchUp);
  }
}
