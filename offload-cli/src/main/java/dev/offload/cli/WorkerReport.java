package dev.offload.cli;

import dev.offload.Job;
import dev.offload.Job.JobError;
import dev.offload.Job.JobState;
import dev.offload.Offload.JobListener;
import java.io.PrintStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@code offload worker} prints while it works: a line for each job whose attempt failed
 * (retrying) or that died, and every {@code interval} a summary of the attempts that ended here
 * since it started ({@code 312 succeeded, 2 retrying, 0 dead}), only when it changed. Lines go to
 * standard output; the counters are bumped on the engine's hot path and cost an increment.
 */
final class WorkerReport implements JobListener, AutoCloseable {
  private final PrintStream out;
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong retrying = new AtomicLong();
  private final AtomicLong dead = new AtomicLong();
  private final AtomicLong cancelled = new AtomicLong();
  private final ScheduledExecutorService timer;
  private String lastSummary;

  /** Reports to {@code out}; prints the summary every {@code interval} (none when zero). */
  WorkerReport(PrintStream out, Duration interval) {
    this.out = out;
    if (interval.isZero()) {
      timer = null;
    } else {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().daemon().name("offload-worker-report").factory());
      long millis = interval.toMillis();
      timer.scheduleAtFixedRate(this::printSummaryIfChanged, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void onFinished(String kind, String queue, JobState state, long runMillis) {
    switch (state) {
      case SUCCEEDED -> succeeded.incrementAndGet();
      case RETRYING -> retrying.incrementAndGet();
      case DEAD -> dead.incrementAndGet();
      case CANCELLED -> cancelled.incrementAndGet();
      default -> {}
    }
  }

  @Override
  public void onRetrying(Job job) {
    out.println(
        "job "
            + job.id()
            + " "
            + job.kind()
            + " failed (attempt "
            + job.attempt()
            + " of "
            + job.maxAttempts()
            + ")"
            + lastError(job)
            + "; retrying"
            + (job.runAt() == null ? "" : " at " + job.runAt().truncatedTo(ChronoUnit.SECONDS)));
  }

  @Override
  public void onDead(Job job) {
    out.println(
        "job "
            + job.id()
            + " "
            + job.kind()
            + " is dead after "
            + job.attempt()
            + " attempt"
            + (job.attempt() == 1 ? "" : "s")
            + lastError(job)
            + " (offload dead lists it; --replay runs it again)");
  }

  /** {@code 312 succeeded, 2 retrying, 0 dead} (and cancelled, when any were). */
  String summary() {
    return succeeded.get()
        + " succeeded, "
        + retrying.get()
        + " retrying, "
        + dead.get()
        + " dead"
        + (cancelled.get() > 0 ? ", " + cancelled.get() + " cancelled" : "");
  }

  private synchronized void printSummaryIfChanged() {
    String s = summary();
    boolean nothingYet =
        lastSummary == null && succeeded.get() + retrying.get() + dead.get() + cancelled.get() == 0;
    if (!nothingYet && !s.equals(lastSummary)) {
      out.println(s);
      out.flush();
      lastSummary = s;
    }
  }

  private static String lastError(Job job) {
    List<JobError> errors = job.errors();
    if (errors.isEmpty()) {
      return "";
    }
    JobError e = errors.get(errors.size() - 1);
    return ": " + e.errorClass() + (e.message() == null ? "" : ": " + Errors.oneLine(e.message()));
  }

  /** Stops the timer and prints the final summary when it differs from the last one printed. */
  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    printSummaryIfChanged();
  }
}
