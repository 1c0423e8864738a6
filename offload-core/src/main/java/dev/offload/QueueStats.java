package dev.offload;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A queue now and over the last minute, for {@code GET /api/queues} and the dashboard.
 *
 * @param name the queue
 * @param paused whether claiming is paused on every node
 * @param counts jobs per state (states with no jobs are absent)
 * @param finishedLastMinute jobs that reached a final state in the last minute
 * @param latencyP50Ms median wait from run_at to start of jobs started in the last minute, or null
 * @param runP50Ms median run time of jobs finished in the last minute, or null
 */
public record QueueStats(
    String name,
    boolean paused,
    Map<JobState, Long> counts,
    long finishedLastMinute,
    @Nullable Double latencyP50Ms,
    @Nullable Double runP50Ms) {

  public QueueStats {
    counts = Map.copyOf(counts);
  }

  public long count(JobState state) {
    return counts.getOrDefault(state, 0L);
  }
}
