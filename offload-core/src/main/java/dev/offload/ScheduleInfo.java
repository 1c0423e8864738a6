package dev.offload;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A stored schedule as {@code offload schedules --json} and {@code GET /api/schedules} show it.
 *
 * @param name the schedule's name
 * @param kind the kind of the jobs it makes
 * @param args their args
 * @param cron the cron expression, or null for an interval
 * @param every the interval in ISO-8601 ({@code PT5M}), or null for a cron schedule
 * @param zone the zone the cron expression reads (UTC for intervals)
 * @param queue the jobs' queue
 * @param priority the jobs' priority
 * @param maxAttempts the jobs' attempts
 * @param catchUp what it does about missed ticks
 * @param paused whether an operator paused it
 * @param declared whether application code declares it
 * @param disabled whether it was declared in code that no longer declares it (it does not fire)
 * @param lastTick the latest tick fired (or when it was added, before its first tick)
 * @param next its next three ticks (empty while paused or disabled)
 * @param lastJob the latest job it made, or null
 * @param lastJobState that job's state, or null
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ScheduleInfo(
    String name,
    String kind,
    JsonNode args,
    @Nullable String cron,
    @Nullable String every,
    String zone,
    String queue,
    int priority,
    int maxAttempts,
    CatchUp catchUp,
    boolean paused,
    boolean declared,
    boolean disabled,
    Instant lastTick,
    List<Instant> next,
    @Nullable JobId lastJob,
    @Nullable JobState lastJobState) {
  public ScheduleInfo {
    next = next == null ? List.of() : List.copyOf(next);
  }

  /** The timing as text: the cron expression, or {@code every PT5M}. */
  public String expression() {
    return cron != null ? cron : "every " + every;
  }

  /** The timing as a {@link Schedule}. */
  public Schedule schedule() {
    return cron != null
        ? Schedule.cron(cron, java.time.ZoneId.of(zone))
        : Schedule.every(Duration.parse(every));
  }
}
