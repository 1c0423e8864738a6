package dev.offload.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored schedule: its definition, its state, and the last tick fired (or, for a new schedule,
 * the moment it was added: its first tick is the first one after that).
 *
 * @param cron the cron expression, or null for an interval
 * @param zone the zone id the cron expression reads
 * @param everyMillis the interval in milliseconds, or null for a cron schedule
 * @param catchUp {@code none}, {@code latest} or {@code all}
 * @param declared whether application code declared it (and so may disable it when it no longer
 *     does)
 * @param disabled set when code that declared it no longer does; it does not fire
 * @param lastJobId the latest job it made, or null (read only)
 * @param lastJobState that job's state, or null (read only)
 */
public record ScheduleRecord(
    String name,
    String kind,
    String argsJson,
    String queue,
    int priority,
    int maxAttempts,
    String cron,
    String zone,
    Long everyMillis,
    String catchUp,
    boolean paused,
    boolean declared,
    boolean disabled,
    Instant lastTick,
    Long lastJobId,
    String lastJobState) {
  public ScheduleRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(argsJson, "argsJson");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(catchUp, "catchUp");
    Objects.requireNonNull(lastTick, "lastTick");
    if ((cron == null) == (everyMillis == null)) {
      throw new IllegalArgumentException(
          "a schedule has a cron expression or an interval, not both or neither");
    }
  }
}
