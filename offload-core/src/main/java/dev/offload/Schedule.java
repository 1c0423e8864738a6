package dev.offload;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.OffloadException.UnknownKindException;
import dev.offload.engine.Node;
import dev.offload.engine.Node.Registration;
import dev.offload.internal.Json;
import dev.offload.store.Store;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.ScheduleRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
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

  /**
   * A cron schedule in UTC.
   *
   * @param expression five fields (minute hour day-of-month month day-of-week) or a macro such as
   *     {@code @daily}
   * @return the schedule
   */
  public static Schedule cron(String expression) {
    return cron(expression, ZoneOffset.UTC);
  }

  /**
   * A cron schedule on the wall clock of {@code zone}.
   *
   * @param expression five fields (minute hour day-of-month month day-of-week) or a macro such as
   *     {@code @daily}
   * @param zone the zone whose wall clock it reads
   * @return the schedule
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
   * @param interval the time between ticks, at least a second
   * @return the schedule
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

  /** {@return the cron expression as given (macros kept), or null for an interval} */
  public @Nullable String cronExpression() {
    return cron;
  }

  /** {@return the zone whose wall clock the cron expression reads; UTC for intervals} */
  public ZoneId zone() {
    return zone;
  }

  /** {@return the interval, or null for a cron schedule} */
  public @Nullable Duration interval() {
    return every;
  }

  /**
   * The first tick strictly after {@code after}.
   *
   * @param after the time to look from
   * @return the tick
   */
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

  /**
   * The latest tick at or before {@code atOrBefore}, or null if there is none.
   *
   * @param atOrBefore the time to look back from
   * @return the tick, or null
   */
  public @Nullable Instant previous(Instant atOrBefore) {
    if (every != null) {
      long step = every.toMillis();
      return Instant.ofEpochMilli(Math.floorDiv(atOrBefore.toEpochMilli(), step) * step);
    }
    LocalDateTime local = LocalDateTime.ofInstant(atOrBefore, zone).plusNanos(1);
    Optional<ZonedDateTime> last = cronTimes().lastExecution(local.atZone(ZoneOffset.UTC));
    return last.map(t -> instant(t.toLocalDateTime())).orElse(null);
  }

  /**
   * The latest tick strictly before {@code before}, or null if there is none.
   *
   * @param before the time to look back from
   * @return the tick, or null
   */
  public @Nullable Instant previousBefore(Instant before) {
    return previous(before.minusNanos(1));
  }

  /**
   * The next {@code count} ticks after {@code after}.
   *
   * @param after the time to look from
   * @param count how many ticks
   * @return the ticks, oldest first
   */
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

  /**
   * The schedules stored in Offload's store, from {@link Offload#schedules()}: list, add, replace,
   * pause, resume, delete, and run one now. Every started node fires their ticks; see {@link
   * Schedule} for the timing and {@link CatchUp} for missed ticks. Thread-safe.
   */
  public static final class Schedules {
    private final Store store;
    private final Map<String, Registration<?>> registry;
    private final InstantSource clock;

    Schedules(Store store, Map<String, Registration<?>> registry, InstantSource clock) {
      this.store = store;
      this.registry = registry;
      this.clock = clock;
    }

    /**
     * Every schedule by name, with its next three ticks and latest job.
     *
     * @return the schedules
     */
    public List<ScheduleInfo> list() {
      Instant now = clock.instant();
      List<ScheduleInfo> out = new ArrayList<>();
      for (ScheduleRecord r : store.scheduleList()) {
        out.add(info(r, now));
      }
      return out;
    }

    /**
     * One schedule, with its next three ticks and latest job.
     *
     * @param name the schedule's name
     * @return the schedule, or empty if there is none of that name
     */
    public Optional<ScheduleInfo> get(String name) {
      return store.scheduleGet(name).map(r -> info(r, clock.instant()));
    }

    /**
     * Adds a schedule; its first tick is the first one after now.
     *
     * @param name the schedule's name, unique in the store
     * @param when its timing
     * @param kind the kind of the jobs it makes
     * @param args their args (anything Jackson can write), or null
     * @param options the jobs' options and the catch-up policy
     * @return the schedule as stored
     * @throws IllegalStateException if a schedule of that name exists
     * @throws UnknownKindException if no node knows the kind
     * @throws IllegalArgumentException if the name or args are invalid
     */
    public ScheduleInfo add(
        String name, Schedule when, String kind, Object args, ScheduleOptions options) {
      if (!store.scheduleSave(record(name, when, kind, args, options, false), false)) {
        throw new IllegalStateException(
            "schedule '" + name + "' exists already; replace it, or delete it first");
      }
      return get(name).orElseThrow();
    }

    /**
     * Adds a schedule or replaces the definition of the one of that name (keeping whether it is
     * paused; when its timing changes, ticks before now are not caught up).
     *
     * @param name the schedule's name, unique in the store
     * @param when its timing
     * @param kind the kind of the jobs it makes
     * @param args their args (anything Jackson can write), or null
     * @param options the jobs' options and the catch-up policy
     * @return the schedule as stored
     * @throws UnknownKindException if no node knows the kind
     */
    public ScheduleInfo put(
        String name, Schedule when, String kind, Object args, ScheduleOptions options) {
      store.scheduleSave(record(name, when, kind, args, options, false), true);
      return get(name).orElseThrow();
    }

    /**
     * Stops a schedule from firing until {@link #resume}.
     *
     * @param name the schedule's name
     * @return the schedule as stored
     * @throws NoSuchElementException if there is no such schedule
     */
    public ScheduleInfo pause(String name) {
      return setPaused(name, true);
    }

    /**
     * Fires a paused schedule again from its next tick; ticks while paused are skipped.
     *
     * @param name the schedule's name
     * @return the schedule as stored
     * @throws NoSuchElementException if there is no such schedule
     */
    public ScheduleInfo resume(String name) {
      return setPaused(name, false);
    }

    private ScheduleInfo setPaused(String name, boolean paused) {
      if (!store.schedulePause(name, paused, clock.instant())) {
        throw noSuch(name);
      }
      return get(name).orElseThrow(() -> noSuch(name));
    }

    /**
     * Deletes a schedule; its jobs stay.
     *
     * @param name the schedule's name
     * @throws NoSuchElementException if there is no such schedule
     */
    public void delete(String name) {
      if (!store.scheduleDelete(name)) {
        throw noSuch(name);
      }
    }

    /**
     * Enqueues one job of the schedule now, outside its ticks (its {@code runAt} is now); the
     * schedule's own ticks are not affected.
     *
     * @param name the schedule's name
     * @return the job's id
     * @throws NoSuchElementException if there is no such schedule
     */
    public JobId run(String name) {
      ScheduleRecord r = store.scheduleGet(name).orElseThrow(() -> noSuch(name));
      Instant now = clock.instant();
      JobInsert job = Node.scheduledJob(r, now, now);
      return new JobId(store.jobInsertMany(List.of(job)).get(0));
    }

    private static NoSuchElementException noSuch(String name) {
      return new NoSuchElementException("no schedule '" + name + "'");
    }

    /** A record of a schedule to save, its last tick now; validated like an enqueue. */
    ScheduleRecord record(
        String name,
        Schedule when,
        String kind,
        Object args,
        ScheduleOptions options,
        boolean declared) {
      Validate.scheduleName(name);
      Validate.kind(kind);
      Objects.requireNonNull(when, "schedule");
      ScheduleOptions o = options == null ? ScheduleOptions.defaults() : options;
      Registration<?> reg = registry.get(kind);
      if (reg == null && !store.kindKnown(kind)) {
        throw new UnknownKindException(kind);
      }
      JobOptions k = reg == null ? JobOptions.defaults() : reg.options();
      String argsJson =
          args == null
              ? "{}"
              : args instanceof com.fasterxml.jackson.databind.JsonNode n
                  ? n.toString()
                  : Json.write(args);
      return new ScheduleRecord(
          name,
          kind,
          argsJson,
          o.queue() != null ? o.queue() : k.queue(),
          o.priority() != null ? o.priority() : k.priority(),
          o.maxAttempts() != null ? o.maxAttempts() : k.maxAttempts(),
          when.cronExpression(),
          when.zone().getId(),
          when.interval() == null ? null : when.interval().toMillis(),
          o.catchUp().wireName(),
          false,
          declared,
          false,
          clock.instant(),
          null,
          null);
    }

    private static ScheduleInfo info(ScheduleRecord r, Instant now) {
      Schedule when = Node.timing(r);
      List<Instant> next =
          r.paused() || r.disabled()
              ? List.of()
              : when.nextTimes(r.lastTick().isAfter(now) ? r.lastTick() : now, 3);
      return new ScheduleInfo(
          r.name(),
          r.kind(),
          Json.tree(r.argsJson()),
          r.cron(),
          r.everyMillis() == null ? null : java.time.Duration.ofMillis(r.everyMillis()).toString(),
          r.cron() == null ? ZoneOffset.UTC.getId() : r.zone(),
          r.queue(),
          r.priority(),
          r.maxAttempts(),
          CatchUp.fromWire(r.catchUp()),
          r.paused(),
          r.declared(),
          r.disabled(),
          r.lastTick(),
          next,
          r.lastJobId() == null ? null : new JobId(r.lastJobId()),
          r.lastJobState() == null ? null : JobState.fromWire(r.lastJobState()));
    }
  }

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

    /** Validates the job options; a null catch-up policy is {@link CatchUp#LATEST}. */
    public ScheduleOptions {
      Validate.optionalJobOptions(queue, priority, maxAttempts);
      if (catchUp == null) {
        catchUp = CatchUp.LATEST;
      }
    }

    /** {@return the kind's job options, catch-up {@link CatchUp#LATEST}} */
    public static ScheduleOptions defaults() {
      return DEFAULTS;
    }

    /**
     * Sets the jobs' queue.
     *
     * @param queue the queue
     * @return a copy with that queue
     */
    public ScheduleOptions queue(String queue) {
      return new ScheduleOptions(queue, priority, maxAttempts, catchUp);
    }

    /**
     * Sets the jobs' priority.
     *
     * @param priority 0 (runs first) to 9
     * @return a copy with that priority
     */
    public ScheduleOptions priority(int priority) {
      return new ScheduleOptions(queue, priority, maxAttempts, catchUp);
    }

    /**
     * Sets the jobs' attempts.
     *
     * @param maxAttempts how many times a job runs before it is dead
     * @return a copy with that number
     */
    public ScheduleOptions maxAttempts(int maxAttempts) {
      return new ScheduleOptions(queue, priority, maxAttempts, catchUp);
    }

    /**
     * Sets the catch-up policy.
     *
     * @param catchUp what to do about ticks missed while no node ran
     * @return a copy with that policy
     */
    public ScheduleOptions catchUp(CatchUp catchUp) {
      return new ScheduleOptions(queue, priority, maxAttempts, catchUp);
    }
  }

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
    /** Copies the ticks (none when null). */
    public ScheduleInfo {
      next = next == null ? List.of() : List.copyOf(next);
    }

    /** {@return the timing as text: the cron expression, or {@code every PT5M}} */
    public String expression() {
      return cron != null ? cron : "every " + every;
    }

    /** {@return the timing as a {@link Schedule}} */
    public Schedule schedule() {
      return cron != null
          ? Schedule.cron(cron, java.time.ZoneId.of(zone))
          : Schedule.every(Duration.parse(every));
    }
  }

  /**
   * What a schedule does about ticks missed while no node ran (a tick more than a minute late is
   * missed; later ones fire as usual).
   */
  public enum CatchUp {
    /** Skip missed ticks; the next tick fires as usual. */
    NONE,
    /** One job for the latest missed tick (the default). */
    LATEST,
    /**
     * One job for each missed tick, the latest {@value #MAX_MISSED} at most; the rest are dropped
     * and logged.
     */
    ALL;

    /** At most this many missed ticks of one schedule are caught up at once. */
    public static final int MAX_MISSED = 100;

    /**
     * {@return the name in JSON and on the command line: {@code none}, {@code latest}, {@code all}}
     */
    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name.
     *
     * @param name {@code none}, {@code latest} or {@code all}
     * @return the policy
     * @throws IllegalArgumentException naming the valid policies
     */
    @JsonCreator
    public static CatchUp fromWire(String name) {
      return Validate.fromWire(
          values(),
          name,
          () -> "unknown catch-up policy '" + name + "' (expected none, latest or all)");
    }
  }
}
