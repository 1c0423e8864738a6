package dev.offload;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A queue now and over the last minute, for {@code GET /api/queues} and the dashboard.
 *
 * @param name the queue
 * @param paused whether claiming is paused on every node
 * @param counts jobs per state (states with no jobs are absent); {@code running} counts every job a
 *     node holds, whether its handler started ({@link #running()}) or not ({@code claimed})
 * @param claimed running jobs a node claimed ahead and holds for a free slot: their handlers have
 *     not started
 * @param finishedLastMinute jobs that reached a final state in the last minute
 * @param latencyP50Ms median wait from run_at to the handler's start, of jobs finished in the last
 *     minute, or null
 * @param runP50Ms median run time of jobs finished in the last minute, or null
 */
public record QueueStats(
    String name,
    boolean paused,
    Map<JobState, Long> counts,
    long claimed,
    long finishedLastMinute,
    @Nullable Double latencyP50Ms,
    @Nullable Double runP50Ms) {

  public QueueStats {
    counts = Map.copyOf(counts);
  }

  /** A queue with no job claimed ahead. */
  public QueueStats(
      String name,
      boolean paused,
      Map<JobState, Long> counts,
      long finishedLastMinute,
      Double latencyP50Ms,
      Double runP50Ms) {
    this(name, paused, counts, 0, finishedLastMinute, latencyP50Ms, runP50Ms);
  }

  /** Jobs whose handlers are running now (held jobs not started are {@link #claimed()}). */
  public long running() {
    return Math.max(0, count(JobState.RUNNING) - claimed);
  }

  public long count(JobState state) {
    return counts.getOrDefault(state, 0L);
  }
}
