package dev.offload.engine;

import dev.offload.Job.Progress;
import dev.offload.internal.Json;
import dev.offload.store.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long each stage took in the latest succeeded runs of a kind (the median of up to 20), for the
 * ETA of stages a running job has not started. Read from the store at most once a minute per kind,
 * and only for kinds that declare stages.
 */
final class StageHistory {
  private static final int RUNS = 20;
  private static final long REFRESH_NANOS = 60_000_000_000L;

  private record Entry(Map<String, Long> medians, long loadedNanos) {}

  private final Store store;
  private final Map<String, Entry> byKind = new ConcurrentHashMap<>();

  StageHistory(Store store) {
    this.store = store;
  }

  Map<String, Long> medianDurationsMs(String kind) {
    long now = System.nanoTime();
    Entry e = byKind.get(kind);
    if (e == null || now - e.loadedNanos() > REFRESH_NANOS) {
      e = new Entry(load(kind), now);
      byKind.put(kind, e);
    }
    return e.medians();
  }

  private Map<String, Long> load(String kind) {
    Map<String, List<Long>> samples = new HashMap<>();
    try {
      for (String json : store.jobRecentProgress(kind, RUNS)) {
        Progress p = Json.read(json, Progress.class);
        for (Progress.StageProgress s : p.stages()) {
          if (s.durationMs() != null) {
            samples.computeIfAbsent(s.name(), n -> new ArrayList<>()).add(s.durationMs());
          }
        }
      }
    } catch (Exception e) {
      // History only sharpens the ETA; without it the stage weights stand in.
      return Map.of();
    }
    Map<String, Long> medians = new HashMap<>();
    samples.forEach((stage, values) -> {
      values.sort(null);
      medians.put(stage, values.get(values.size() / 2));
    });
    return medians;
  }
}
