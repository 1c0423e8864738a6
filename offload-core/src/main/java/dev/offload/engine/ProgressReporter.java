package dev.offload.engine;

import dev.offload.internal.Json;
import dev.offload.store.Store;
import dev.offload.store.Store.JobStart;
import dev.offload.store.Store.ProgressUpdate;
import dev.offload.store.Store.RejectedWriteException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the progress of this node's running jobs: samples each job's rate a few times a second for
 * its ETA, and writes a job whose progress changed at most once per interval, or at once when it
 * entered a stage. All the writes of one pass go out in one statement.
 */
final class ProgressReporter implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ProgressReporter.class);

  private final Store store;
  private final Collection<Execution> running;
  private final Duration interval;
  private final InstantSource clock;
  private final Wakeup wakeup = new Wakeup();
  private final Map<Long, Long> lastWrittenNanos = new ConcurrentHashMap<>();
  private final OutageLog outage = new OutageLog(log, "writing progress");
  private volatile boolean stopping;

  ProgressReporter(
      Store store, Collection<Execution> running, Duration interval, InstantSource clock) {
    this.store = store;
    this.running = running;
    this.interval = interval;
    this.clock = clock;
  }

  /** A stage changed: write it now rather than at the next interval. */
  void wake() {
    wakeup.signal();
  }

  void stop() {
    stopping = true;
    wakeup.signal();
  }

  /** Lets {@link #run} start again after a {@link #stop}. */
  void reset() {
    stopping = false;
    lastWrittenNanos.clear();
  }

  void forget(long jobId) {
    lastWrittenNanos.remove(jobId);
  }

  @Override
  public void run() {
    Duration tick =
        interval.compareTo(Duration.ofMillis(250)) < 0 ? interval : Duration.ofMillis(250);
    while (!stopping) {
      try {
        wakeup.await(tick);
        runOnce(System.nanoTime());
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        outage.failed(e);
      }
    }
  }

  /**
   * Writes when the handlers that started since the last pass did, in one statement, so a job held
   * ahead of a free slot is told apart from one that runs. Jobs that end first need no write: their
   * completion carries the start.
   */
  private void writeStarts() {
    List<Execution> started = new ArrayList<>();
    List<JobStart> starts = new ArrayList<>();
    for (Execution ex : running) {
      if (!ex.startWritten && !ex.isSettled()) {
        started.add(ex);
        starts.add(new JobStart(ex.job.id(), ex.job.token(), ex.startedAt));
      }
    }
    if (!starts.isEmpty()) {
      store.jobStartMany(starts);
      started.forEach(ex -> ex.startWritten = true);
    }
  }

  /** Samples every running job and writes those that are due; returns how many were written. */
  int runOnce(long nowNanos) {
    writeStarts();
    List<ProgressUpdate> due = new ArrayList<>();
    for (Execution ex : running) {
      ProgressTracker p = ex.progress;
      p.sample(nowNanos);
      if (!p.isDirty() || ex.isSettled()) {
        continue;
      }
      Long last = lastWrittenNanos.get(ex.job.id());
      if (p.isUrgent() || last == null || nowNanos - last >= interval.toNanos()) {
        due.add(
            new ProgressUpdate(
                ex.job.id(), ex.job.token(), Json.write(p.snapshot(nowNanos, clock.instant()))));
        lastWrittenNanos.put(ex.job.id(), nowNanos);
      }
    }
    if (!due.isEmpty()) {
      try {
        store.jobProgressMany(due);
      } catch (RejectedWriteException e) {
        // One job's progress the store cannot hold must not keep the others' from being written.
        for (ProgressUpdate u : due) {
          try {
            store.jobProgressMany(List.of(u));
          } catch (RejectedWriteException refused) {
            log.warn("the store refused the progress of job {}: {}", u.id(), refused.getMessage());
          }
        }
      }
      outage.succeeded();
    }
    return due.size();
  }
}
