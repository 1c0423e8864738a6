package dev.offload;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * When a schedule fires: a cron expression in a time zone, or a fixed interval.
 *
 * <pre>{@code
 * Schedule.cron("0 6 1 * *", ZoneId.of("Europe/Copenhagen"))  // 06:00 on the 1st, Copenhagen time
 * Schedule.cron("@daily")                                      // midnight UTC
 * Schedule.cron("*\/10 * * * * *")                              // every 10 seconds (leading seconds field)
 * Schedule.every(Duration.ofMinutes(5))                        // every 5 minutes since the epoch
 * }</pre>
 *
 * <p>Cron: the standard 5 fields (minute, hour, day of month, month, day of week), an optional
 * leading sixth field for seconds, and the macros {@code @hourly}, {@code @daily} ({@code
 * @midnight}), {@code @weekly}, {@code @monthly}, {@code @yearly} ({@code @annually}). Parsed by
 * cron-utils. Ticks are computed on the zone's wall clock: a tick that falls in a daylight-saving
 * gap fires when the gap ends (02:30 on a day that skips 02:00-03:00 fires at 03:00), and a tick
 * in a repeated hour fires once, at its first occurrence. Intervals are counted from the epoch,
 * so every node computes the same ticks.
 *
 * <p>Immutable and thread-safe.
 */
public final class Schedule {
  private static final CronParser FIVE_FIELDS =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  // Spring's definition is the Unix one with a leading seconds field (and the same 0-7 weekdays).
  private static final CronParser SIX_FIELDS =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));
  private static final Map<String, String> MACROS =
      Map.of(
          "@hourly", "0 * * * *",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@weekly", "0 0 * * 0",
          "@monthly", "0 0 1 * *",
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *");
  private static final String[] FIELDS = {"minute", "hour", "day-of-month", "month", "day-of-week"};
  private static final String[] RANGES = {
    "0-59", "0-23", "1-31", "1-12 or JAN-DEC", "0-7 or SUN-SAT (0 and 7 are Sunday)"
  };

  private final @Nullable String cron;
  private final ZoneId zone;
  private final @Nullable Duration every;
  private final @Nullable ExecutionTime executionTime;

  private Schedule(
      @Nullable String cron,
      ZoneId zone,
      @Nullable Duration every,
      @Nullable ExecutionTime executionTime) {
    this.cron = cron;
    this.zone = zone;
    this.every = every;
    this.executionTime = executionTime;
  }

  /** A cron schedule in UTC. */
  public static Schedule cron(String expression) {
    return cron(expression, ZoneOffset.UTC);
  }

  /**
   * A cron schedule on the wall clock of {@code zone}.
   *
   * @throws IllegalArgumentException naming the field that is wrong and its allowed range
   */
  public static Schedule cron(String expression, ZoneId zone) {
    Objects.requireNonNull(expression, "cron expression");
    Objects.requireNonNull(zone, "zone");
    String text = expression.trim().replaceAll("\\s+", " ");
    String expanded = MACROS.getOrDefault(text.toLowerCase(Locale.ROOT), text);
    if (expanded.startsWith("@")) {
      throw new IllegalArgumentException(
          "cron expression '"
              + expression
              + "': unknown macro "
              + expanded
              + " (expected one of @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually)");
    }
    return new Schedule(text, zone, null, ExecutionTime.forCron(parse(expression, expanded)));
  }

  /**
   * A schedule that fires every {@code interval}, at whole multiples of it since the epoch.
   *
   * @throws IllegalArgumentException if the interval is under a second
   */
  public static Schedule every(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          "a schedule's interval must be at least 1 second, got " + interval);
    }
    return new Schedule(null, ZoneOffset.UTC, interval, null);
  }

  private static Cron parse(String original, String expression) {
    String[] parts = expression.split(" ");
    if (parts.length != 5 && parts.length != 6) {
      throw new IllegalArgumentException(
          "cron expression '"
              + original
              + "' has "
              + parts.length
              + " fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (a leading second)");
    }
    CronParser parser = parts.length == 5 ? FIVE_FIELDS : SIX_FIELDS;
    try {
      Cron cron = parser.parse(expression);
      cron.validate();
      return cron;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(fieldError(original, parts, parser, e), e);
    }
  }

  /** Finds the field cron-utils rejected by parsing each one alone, all others '*'. */
  private static String fieldError(
      String original, String[] parts, CronParser parser, IllegalArgumentException e) {
    int offset = parts.length - 5;
    for (int i = 0; i < parts.length; i++) {
      String[] probe = new String[parts.length];
      java.util.Arrays.fill(probe, "*");
      probe[i] = parts[i];
      try {
        parser.parse(String.join(" ", probe)).validate();
      } catch (IllegalArgumentException fieldFailure) {
        String name = i < offset ? "second" : FIELDS[i - offset];
        String range = i < offset ? "0-59" : RANGES[i - offset];
        return "cron expression '"
            + original
            + "': "
            + name
            + " field '"
            + parts[i]
            + "' is invalid ("
            + reason(fieldFailure)
            + "); "
            + name
            + " allows "
            + range;
      }
    }
    return "cron expression '" + original + "' is invalid: " + reason(e);
  }

  private static String reason(IllegalArgumentException e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    return m.replace("Failed to parse cron expression. ", "").replace("Failed to parse '", "'");
  }

  private ExecutionTime cronTimes() {
    return Objects.requireNonNull(executionTime, "a cron schedule's execution times");
  }

  /** The cron expression as given (macros kept), or null for an interval. */
  public @Nullable String cronExpression() {
    return cron;
  }

  /** The zone whose wall clock the cron expression reads; UTC for intervals. */
  public ZoneId zone() {
    return zone;
  }

  /** The interval, or null for a cron schedule. */
  public @Nullable Duration interval() {
    return every;
  }

  /** The first tick strictly after {@code after}. */
  public Instant next(Instant after) {
    if (every != null) {
      long step = every.toMillis();
      long t = after.toEpochMilli();
      return Instant.ofEpochMilli(Math.floorDiv(t, step) * step + step);
    }
    LocalDateTime local = LocalDateTime.ofInstant(after, zone);
    while (true) {
      Optional<ZonedDateTime> next = cronTimes().nextExecution(local.atZone(ZoneOffset.UTC));
      if (next.isEmpty()) {
        throw new IllegalStateException(
            "cron expression '" + cron + "' never fires after " + after);
      }
      local = next.get().toLocalDateTime();
      Instant tick = instant(local);
      // A wall-clock tick in a DST gap maps to the gap's end, which may not be after 'after'.
      if (tick.isAfter(after)) {
        return tick;
      }
    }
  }

  /** The latest tick at or before {@code atOrBefore}, or null if there is none. */
  public @Nullable Instant previous(Instant atOrBefore) {
    if (every != null) {
      long step = every.toMillis();
      return Instant.ofEpochMilli(Math.floorDiv(atOrBefore.toEpochMilli(), step) * step);
    }
    LocalDateTime local = LocalDateTime.ofInstant(atOrBefore, zone).plusNanos(1);
    Optional<ZonedDateTime> last = cronTimes().lastExecution(local.atZone(ZoneOffset.UTC));
    return last.map(t -> instant(t.toLocalDateTime())).orElse(null);
  }

  /** The latest tick strictly before {@code before}, or null if there is none. */
  public @Nullable Instant previousBefore(Instant before) {
    return previous(before.minusNanos(1));
  }

  /** The next {@code count} ticks after {@code after}. */
  public List<Instant> nextTimes(Instant after, int count) {
    List<Instant> out = new ArrayList<>(count);
    Instant t = after;
    for (int i = 0; i < count; i++) {
      t = next(t);
      out.add(t);
    }
    return out;
  }

  /**
   * The instant of a wall-clock time: a gap's end for a time in the gap, the earlier one in an
   * overlap.
   */
  private Instant instant(LocalDateTime local) {
    ZoneOffsetTransition transition = zone.getRules().getTransition(local);
    if (transition != null && transition.isGap()) {
      return transition.getInstant();
    }
    return local.atZone(zone).withEarlierOffsetAtOverlap().toInstant();
  }

  /** {@code cron EXPR in ZONE} or {@code every DURATION}. */
  @Override
  public String toString() {
    return every != null ? "every " + every : "cron '" + cron + "' in " + zone;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Schedule s
        && Objects.equals(cron, s.cron)
        && zone.equals(s.zone)
        && Objects.equals(every, s.every);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cron, zone, every);
  }
}
