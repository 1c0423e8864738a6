package dev.offload;

import dev.offload.Offload.QueueStats;
import dev.offload.store.Store;
import dev.offload.store.Store.QueueFlow;
import dev.offload.store.Store.QueueSettings;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link Offload}'s reads of queues and of what their flow control holds back: the queues with
 * their figures, their stored options, and why a due job waits. Read from the store's counts when
 * asked ({@link FlowStatus}), so the claim path pays nothing for them.
 */
record QueueReads(Store store, InstantSource clock) {

  /** {@code job} with the reason it waits, when it is due and a queue setting holds it back. */
  Job withWaiting(Job job) {
    Instant now = clock.instant();
    if (!FlowStatus.due(job, now)) {
      return job;
    }
    QueueSettings settings = settings().get(job.queue());
    if (settings == null || !FlowStatus.holdsBack(settings)) {
      return job;
    }
    QueueFlow flow = store.queueFlow(job.queue(), settings.options(), job.concurrencyKey(), now);
    return job.withWaiting(FlowStatus.waiting(job, settings, flow));
  }

  List<QueueStats> queues() {
    Instant now = clock.instant();
    Map<String, QueueSettings> settings = settings();
    List<QueueStats> out = new ArrayList<>();
    for (QueueStats stats : store.queueStats(now)) {
      QueueSettings s = settings.get(stats.name());
      if (s != null && FlowStatus.holdsBack(s)) {
        stats =
            stats.withFlow(
                FlowStatus.flow(s, store.queueFlow(stats.name(), s.options(), null, now)));
      }
      out.add(stats);
    }
    return out;
  }

  /** The options of every queue that has some, by name. */
  Map<String, QueueOptions> options() {
    Map<String, QueueOptions> out = new TreeMap<>();
    for (QueueSettings s : store.queueSettingsList()) {
      if (s.configured()) {
        out.put(s.name(), s.options());
      }
    }
    return out;
  }

  private Map<String, QueueSettings> settings() {
    Map<String, QueueSettings> byName = new HashMap<>();
    for (QueueSettings s : store.queueSettingsList()) {
      byName.put(s.name(), s);
    }
    return byName;
  }
}
