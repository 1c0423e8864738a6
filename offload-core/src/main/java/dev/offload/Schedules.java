package dev.offload;

import dev.offload.engine.Node;
import dev.offload.engine.Node.Registration;
import dev.offload.internal.Json;
import dev.offload.store.JobInsert;
import dev.offload.store.ScheduleRecord;
import dev.offload.store.Store;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * The schedules stored in Offload's store, from {@link Offload#schedules()}: list, add, replace,
 * pause, resume, delete, and run one now. Every started node fires their ticks; see {@link
 * Schedule} for the timing and {@link CatchUp} for missed ticks. Thread-safe.
 */
public final class Schedules {
  private final Store store;
  private final Map<String, Registration<?>> registry;
  private final InstantSource clock;

  Schedules(Store store, Map<String, Registration<?>> registry, InstantSource clock) {
    this.store = store;
    this.registry = registry;
    this.clock = clock;
  }

  /** Every schedule by name, with its next three ticks and latest job. */
  public List<ScheduleInfo> list() {
    Instant now = clock.instant();
    List<ScheduleInfo> out = new ArrayList<>();
    for (ScheduleRecord r : store.scheduleList()) {
      out.add(info(r, now));
    }
    return out;
  }

  public Optional<ScheduleInfo> get(String name) {
    return store.scheduleGet(name).map(r -> info(r, clock.instant()));
  }

  /**
   * Adds a schedule; its first tick is the first one after now.
   *
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
   * @throws UnknownKindException if no node knows the kind
   */
  public ScheduleInfo put(
      String name, Schedule when, String kind, Object args, ScheduleOptions options) {
    store.scheduleSave(record(name, when, kind, args, options, false), true);
    return get(name).orElseThrow();
  }

  /** Stops a schedule from firing until {@link #resume}. @throws NoSuchElementException if none */
  public ScheduleInfo pause(String name) {
    return setPaused(name, true);
  }

  /** Fires a paused schedule again from its next tick; ticks while paused are skipped. */
  public ScheduleInfo resume(String name) {
    return setPaused(name, false);
  }

  private ScheduleInfo setPaused(String name, boolean paused) {
    if (!store.schedulePause(name, paused, clock.instant())) {
      throw noSuch(name);
    }
    return get(name).orElseThrow(() -> noSuch(name));
  }

  /** Deletes a schedule; its jobs stay. @throws NoSuchElementException if none */
  public void delete(String name) {
    if (!store.scheduleDelete(name)) {
      throw noSuch(name);
    }
  }

  /**
   * Enqueues one job of the schedule now, outside its ticks (its {@code runAt} is now); the
   * schedule's own ticks are not affected.
   *
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
