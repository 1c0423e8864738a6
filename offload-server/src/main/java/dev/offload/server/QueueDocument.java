package dev.offload.server;

import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.Offload;
import dev.offload.Offload.QueueStats;
import dev.offload.QueueOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One queue in {@code GET /api/queues}, the dashboard and the queue gauges of {@code /metrics}.
 *
 * @param name the queue
 * @param paused whether claiming is paused on every node
 * @param counts jobs per state, every state present (0 when none), in lifecycle order
 * @param running jobs whose handlers run now
 * @param claimed jobs a node claimed ahead and holds for a free slot (not started); {@code
 *     counts.running} is {@code running + claimed}
 * @param pending jobs waiting to run: scheduled, available and retrying
 * @param finishedLastMinute jobs that reached a final state in the last minute
 * @param throughputPerSecond {@code finishedLastMinute / 60}
 * @param latencyP50Ms median wait from run_at to the handler's start, of jobs finished in the last
 *     minute, or null
 * @param runP50Ms median run time of jobs finished in the last minute, or null
 * @param maxRunning at most this many of its jobs run at once across all nodes, or null
 * @param perKey at most this many jobs of one concurrency key run at once, or null
 * @param rate at most this many starts per period ({@code 10/s}), or null
 * @param ratePerKey whether the rate applies to each concurrency key on its own
 * @param fair whether claims interleave concurrency keys
 * @param aging the wait after which a job counts one priority level more urgent ({@code 5m}), or
 *     null
 * @param slotsInUse jobs running with a live lease: what {@code maxRunning} counts
 * @param keysAtLimit concurrency keys whose running jobs fill {@code perKey}
 * @param waitingOnLimits due jobs that a limit, a rate or a pause holds back, by reason
 * @param pushUrl the endpoint a push queue delivers its jobs to, or null for a queue of workers
 * @param pushTimeout how long one push may take ({@code 60s}), or null
 * @param pushSecretEnv the environment variable holding the push secret on each node, or null
 * @param allowHttp whether plain http is accepted for a push URL that is not loopback
 */
record QueueDocument(
    String name,
    boolean paused,
    Map<String, Long> counts,
    long running,
    long claimed,
    long pending,
    long finishedLastMinute,
    double throughputPerSecond,
    Double latencyP50Ms,
    Double runP50Ms,
    Integer maxRunning,
    Integer perKey,
    String rate,
    boolean ratePerKey,
    boolean fair,
    String aging,
    long slotsInUse,
    long keysAtLimit,
    WaitingOnLimits waitingOnLimits,
    String pushUrl,
    String pushTimeout,
    String pushSecretEnv,
    boolean allowHttp) {

  /**
   * Due jobs held back, each under the first reason that holds it.
   *
   * @param total all of them
   * @param queueLimit held because the queue runs {@code maxRunning} jobs
   * @param keyLimit held because their key runs {@code perKey} jobs
   * @param rate held by the queue's rate or their key's
   * @param paused held because the queue is paused
   */
  record WaitingOnLimits(long total, long queueLimit, long keyLimit, long rate, long paused) {
    static WaitingOnLimits of(QueueStats.Flow f) {
      return new WaitingOnLimits(
          f.waiting(),
          f.waitingOnQueueLimit(),
          f.waitingOnKeyLimit(),
          f.waitingOnRate(),
          f.waitingPaused());
    }
  }

  static QueueDocument of(QueueStats s) {
    return of(s, QueueOptions.none());
  }

  static QueueDocument of(QueueStats s, QueueOptions o) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (JobState state : JobState.values()) {
      counts.put(state.wireName(), s.count(state));
    }
    long pending =
        s.count(JobState.SCHEDULED) + s.count(JobState.AVAILABLE) + s.count(JobState.RETRYING);
    double perSecond = Math.round(s.finishedLastMinute() / 60.0 * 100) / 100.0;
    return new QueueDocument(
        s.name(),
        s.paused(),
        counts,
        s.running(),
        s.claimed(),
        pending,
        s.finishedLastMinute(),
        perSecond,
        s.latencyP50Ms(),
        s.runP50Ms(),
        o.maxRunning(),
        o.perKey(),
        o.rate() == null ? null : o.rate().toString(),
        o.ratePerKey(),
        o.fair(),
        o.aging() == null ? null : Durations.format(o.aging()),
        s.flow().slotsInUse(),
        s.flow().keysAtLimit(),
        WaitingOnLimits.of(s.flow()),
        o.push() == null ? null : o.push().url().toString(),
        o.push() == null ? null : Durations.format(o.push().timeout()),
        o.push() == null ? null : o.push().secretEnv(),
        o.push() != null && o.push().allowHttp());
  }

  /**
   * Every queue the store knows (with jobs or paused), plus the queues of the kinds registered on
   * this node even while they are empty, so a fresh install shows its queues. Sorted by name.
   */
  static List<QueueDocument> all(Offload offload) {
    List<QueueDocument> docs = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    Map<String, QueueOptions> options = offload.queueOptions();
    for (QueueStats s : offload.queues()) {
      docs.add(of(s, options.getOrDefault(s.name(), QueueOptions.none())));
      seen.add(s.name());
    }
    for (JobOptions o : offload.kinds().values()) {
      if (seen.add(o.queue())) {
        docs.add(
            of(
                new QueueStats(
                    o.queue(), false, Map.of(), 0, 0, null, null, QueueStats.Flow.none()),
                options.getOrDefault(o.queue(), QueueOptions.none())));
      }
    }
    docs.sort(Comparator.comparing(QueueDocument::name));
    return docs;
  }
}
