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
 * @param flow what the queue's flow control holds back now ({@link Flow#none()} for a queue without
 *     limits and not paused)
 */
public record QueueStats(
    String name,
    boolean paused,
    Map<JobState, Long> counts,
    long claimed,
    long finishedLastMinute,
    @Nullable Double latencyP50Ms,
    @Nullable Double runP50Ms,
    Flow flow) {

  public QueueStats {
    counts = Map.copyOf(counts);
    flow = flow == null ? Flow.none() : flow;
  }

  /** A queue as a store counts it, before its flow control is looked at. */
  public QueueStats(
      String name,
      boolean paused,
      Map<JobState, Long> counts,
      long claimed,
      long finishedLastMinute,
      @Nullable Double latencyP50Ms,
      @Nullable Double runP50Ms) {
    this(name, paused, counts, claimed, finishedLastMinute, latencyP50Ms, runP50Ms, Flow.none());
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

  /** This queue with what its flow control holds back. */
  public QueueStats withFlow(Flow flow) {
    return new QueueStats(
        name, paused, counts, claimed, finishedLastMinute, latencyP50Ms, runP50Ms, flow);
  }

  /**
   * What a queue's flow control holds back now, counted from the store's rows as claims count them
   * (running with a live lease). Each due job that cannot start is counted once, under the first
   * reason that holds it: paused, then the queue's limit, the queue's rate, its key's limit, its
   * key's rate.
   *
   * @param slotsInUse jobs running with a live lease: what {@code maxRunning} counts
   * @param keysAtLimit concurrency keys whose running jobs fill {@code perKey}
   * @param waitingOnQueueLimit due jobs held because the queue runs {@code maxRunning} jobs
   * @param waitingOnKeyLimit due jobs held because their key runs {@code perKey} jobs
   * @param waitingOnRate due jobs held by the rate (the queue's, or their key's)
   * @param waitingPaused due jobs held because the queue is paused
   */
  public record Flow(
      long slotsInUse,
      long keysAtLimit,
      long waitingOnQueueLimit,
      long waitingOnKeyLimit,
      long waitingOnRate,
      long waitingPaused) {
    private static final Flow NONE = new Flow(0, 0, 0, 0, 0, 0);

    /** Nothing held back, nothing running. */
    public static Flow none() {
      return NONE;
    }

    /** Due jobs that a limit, a rate or a pause holds back. */
    public long waiting() {
      return waitingOnQueueLimit + waitingOnKeyLimit + waitingOnRate + waitingPaused;
    }
  }
}
