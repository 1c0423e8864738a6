package dev.offload;

import dev.offload.Job.JobState;
import dev.offload.Offload.QueueStats;
import dev.offload.QueueOptions.Rate;
import dev.offload.store.Store.Gcra;
import dev.offload.store.Store.QueueFlow;
import dev.offload.store.Store.QueueSettings;
import org.jspecify.annotations.Nullable;

/**
 * Why due jobs wait, read from a store's counts ({@link QueueFlow}) the way a claim decides: a
 * paused queue claims nothing; then the queue's limit, the queue's rate, the key's limit and the
 * key's rate each hold a job back. Computed when a job or the queues are read, never on the claim
 * path.
 */
final class FlowStatus {
  private FlowStatus() {}

  /** Whether a queue with these settings can hold a due job back at all. */
  static boolean holdsBack(@Nullable QueueSettings settings) {
    return settings != null && (settings.paused() || settings.options().controlled());
  }

  /** Whether {@code job} is due and not running: the only jobs a limit can hold back. */
  static boolean due(Job job, java.time.Instant now) {
    return (job.state() == JobState.AVAILABLE
            || job.state() == JobState.SCHEDULED
            || job.state() == JobState.RETRYING)
        && !job.runAt().isAfter(now);
  }

  /**
   * {@code waiting: key tenant:42 at its limit of 1} and the like, or null when nothing holds the
   * job back (it starts as soon as a node with a free thread claims it).
   */
  static @Nullable String waiting(Job job, QueueSettings settings, QueueFlow flow) {
    QueueOptions o = settings.options();
    String queue = job.queue();
    if (settings.paused()) {
      return "waiting: queue " + queue + " is paused";
    }
    if (o.maxRunning() != null && flow.slotsHeld() >= o.maxRunning()) {
      return "waiting: queue " + queue + " at its limit of " + o.maxRunning();
    }
    Rate rate = o.rate();
    if (rate != null
        && !o.ratePerKey()
        && Gcra.allowed(flow.queueRateTatMicros(), flow.nowMicros(), rate) == 0) {
      return "waiting: rate " + rate;
    }
    String key = job.concurrencyKey();
    if (o.perKey() != null && key != null && flow.keyRunning() >= o.perKey()) {
      return "waiting: key " + key + " at its limit of " + o.perKey();
    }
    if (rate != null && o.ratePerKey()) {
      Long tat = key == null ? flow.queueRateTatMicros() : flow.keyRateTatMicros();
      if (Gcra.allowed(tat, flow.nowMicros(), rate) == 0) {
        return "waiting: rate "
            + rate
            + (key == null ? " of jobs without a key" : " of key " + key);
      }
    }
    return null;
  }

  /** The queue-wide figures: each held job counted once, under the first reason that holds it. */
  static QueueStats.Flow flow(QueueSettings settings, QueueFlow f) {
    QueueOptions o = settings.options();
    // Under a queue limit the slots are the nodes' leases; otherwise what runs holds its key's.
    long inUse = o.maxRunning() != null ? f.slotsHeld() : f.running();
    if (settings.paused()) {
      return new QueueStats.Flow(inUse, f.keysAtLimit(), 0, 0, 0, f.due());
    }
    if (o.maxRunning() != null && f.slotsHeld() >= o.maxRunning()) {
      return new QueueStats.Flow(inUse, f.keysAtLimit(), f.due(), 0, 0, 0);
    }
    Rate rate = o.rate();
    if (rate != null
        && !o.ratePerKey()
        && Gcra.allowed(f.queueRateTatMicros(), f.nowMicros(), rate) == 0) {
      return new QueueStats.Flow(inUse, f.keysAtLimit(), 0, 0, f.due(), 0);
    }
    return new QueueStats.Flow(
        inUse, f.keysAtLimit(), 0, f.dueOfKeysAtLimit(), f.dueOfKeysOutOfRate(), 0);
  }
}
