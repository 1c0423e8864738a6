package dev.offload;

import dev.offload.Offload.KindStats;
import dev.offload.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The kinds' median durations over the last day (the figures of {@link Offload#kindStats}), which
 * weigh a workflow's steps in its progress. Read at most once a minute: a workflow's page and its
 * event stream ask every second, and medians of a day's runs do not move that fast.
 */
final class KindDurations {
  private static final Duration FRESH_FOR = Duration.ofMinutes(1);

  private final Store store;
  private final InstantSource clock;
  private volatile @Nullable Snapshot snapshot;

  private record Snapshot(Map<String, Double> mediansMs, Instant readAt) {}

  KindDurations(Store store, InstantSource clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Median milliseconds by kind, for kinds with a successful run in the last day. */
  Map<String, Double> mediansMs() {
    Instant now = clock.instant();
    Snapshot s = snapshot;
    if (s == null || s.readAt().plus(FRESH_FOR).isBefore(now) || s.readAt().isAfter(now)) {
      Map<String, Double> medians = new HashMap<>();
      for (KindStats k : store.kindStats(now.minus(Duration.ofDays(1)), 10_000)) {
        if (k.runs() > 0 && k.p50Ms() > 0) {
          medians.put(k.kind(), k.p50Ms());
        }
      }
      s = new Snapshot(Map.copyOf(medians), now);
      snapshot = s;
    }
    return s.mediansMs();
  }
}
