package dev.offload.engine;

import dev.offload.Job.JobState;
import dev.offload.Schedule;
import dev.offload.Schedule.CatchUp;
import dev.offload.store.Store;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.ScheduleRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires the due ticks of every schedule; runs on every started node, not only the leader. Each pass
 * reads the schedules, works out which ticks are due since each one's last tick, and asks the store
 * to fire them ({@link Store#scheduleFire}): the store moves the last tick and inserts the jobs in
 * one transaction, and only when no other node moved it first, so a tick makes one job whatever the
 * number of nodes, leader changes or restarts.
 *
 * <p>A tick up to {@link #GRACE} late is on time and fires as usual (every one of them: a pass that
 * comes late never merges ticks). Older ticks were missed (no node ran) and follow the schedule's
 * {@link CatchUp} policy. Each job's {@code runAt} is its tick.
 */
final class Scheduler {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  /** How late a tick may be and still count as on time rather than missed. */
  static final Duration GRACE = Duration.ofMinutes(1);

  /** Missed ticks beyond the kept ones are counted up to this many, then reported as "at least". */
  private static final int MAX_COUNTED = 100_000;

  private final Store store;
  private final InstantSource clock;
  private final OutageLog outage = new OutageLog(log, "firing schedules");

  Scheduler(Store store, InstantSource clock) {
    this.store = store;
    this.clock = clock;
  }

  /** One pass over every schedule; returns how many jobs this node enqueued. */
  int runOnce() {
    try {
      Instant now = clock.instant();
      int fired = 0;
      for (ScheduleRecord s : store.scheduleList()) {
        if (!s.paused() && !s.disabled()) {
          fired += fire(s, now);
        }
      }
      outage.succeeded();
      return fired;
    } catch (RuntimeException e) {
      outage.failed(e);
      return 0;
    }
  }

  private int fire(ScheduleRecord s, Instant now) {
    Due due;
    try {
      due = due(timing(s), CatchUp.fromWire(s.catchUp()), s.lastTick(), now);
    } catch (RuntimeException e) {
      log.warn("schedule '{}' cannot be read and does not fire: {}", s.name(), e.getMessage());
      return 0;
    }
    if (due.latest() == null) {
      return 0;
    }
    List<JobInsert> jobs = new ArrayList<>(due.ticks().size());
    for (Instant tick : due.ticks()) {
      jobs.add(job(s, tick, now));
    }
    Optional<List<Long>> ids = store.scheduleFire(s.name(), due.latest(), jobs);
    if (ids.isEmpty()) {
      return 0;
    }
    if (due.dropped() > 0) {
      log.warn(
          "schedule '{}' missed more than {} ticks while no node ran: caught up the latest {}, dropped {}{}",
          s.name(),
          CatchUp.MAX_MISSED,
          CatchUp.MAX_MISSED,
          due.dropped() + CatchUp.MAX_MISSED >= MAX_COUNTED ? "at least " : "",
          due.dropped());
    } else if (due.missedAny()) {
      log.info("schedule '{}' missed ticks while no node ran (catch-up {})", s.name(), s.catchUp());
    }
    return ids.get().size();
  }

  /** The job of a schedule for {@code tick} (its runAt), enqueued at {@code now}. */
  static JobInsert job(ScheduleRecord s, Instant tick, Instant now) {
    return new JobInsert(
        s.kind(),
        s.queue(),
        s.priority(),
        s.argsJson(),
        s.maxAttempts(),
        JobState.AVAILABLE,
        tick,
        now,
        /* parentId= */ null,
        /* retryItemsJson= */ null,
        /* idempotencyKey= */ null,
        s.name(),
        /* concurrencyKey= */ null,
        /* uniqueKey= */ null,
        /* uniqueFinishedAfter= */ null,
        /* replaceDuplicate= */ false,
        /* headersJson= */ null);
  }

  /** The timing of a stored schedule. */
  static Schedule timing(ScheduleRecord s) {
    return s.cron() != null
        ? Schedule.cron(s.cron(), ZoneId.of(s.zone()))
        : Schedule.every(Duration.ofMillis(s.everyMillis()));
  }

  /**
   * What is due at {@code now} for a schedule last fired at {@code lastTick}.
   *
   * @param ticks the ticks to enqueue, oldest first
   * @param latest the newest due tick, which becomes the last tick (null: nothing is due)
   * @param dropped how many missed ticks catch-up {@code all} left out (over its bound)
   * @param missedAny whether any tick was missed
   */
  record Due(List<Instant> ticks, Instant latest, long dropped, boolean missedAny) {}

  static Due due(Schedule when, CatchUp policy, Instant lastTick, Instant now) {
    Instant latest = when.previous(now);
    if (latest == null || !latest.isAfter(lastTick)) {
      return new Due(List.of(), null, 0, false);
    }
    Instant cutoff = now.minus(GRACE);
    List<Instant> onTime = new ArrayList<>();
    List<Instant> missed = new ArrayList<>();
    long missedCount = 0;
    // Walk back from the newest tick; stop once the policy has what it needs.
    for (Instant t = latest; t != null && t.isAfter(lastTick); t = when.previousBefore(t)) {
      if (!t.isBefore(cutoff)) {
        onTime.add(t);
        continue;
      }
      missedCount++;
      if (policy != CatchUp.ALL) {
        missed.add(t); // none and latest need only the newest missed tick
        break;
      }
      if (missed.size() < CatchUp.MAX_MISSED) {
        missed.add(t);
      }
      if (missedCount >= MAX_COUNTED) {
        break;
      }
    }
    List<Instant> ticks = new ArrayList<>();
    long dropped = 0;
    switch (policy) {
      case NONE -> {}
      case LATEST -> {
        // The on-time ticks already stand for the missed ones.
        if (onTime.isEmpty() && !missed.isEmpty()) {
          ticks.add(missed.get(0));
        }
      }
      case ALL -> {
        ticks.addAll(missed);
        dropped = missedCount - missed.size();
      }
    }
    Collections.reverse(ticks);
    List<Instant> onTimeAscending = new ArrayList<>(onTime);
    Collections.reverse(onTimeAscending);
    ticks.addAll(onTimeAscending);
    return new Due(ticks, latest, dropped, !missed.isEmpty());
  }
}
