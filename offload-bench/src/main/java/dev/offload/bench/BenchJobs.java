package dev.offload.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The no-op job every system runs, and what it records. A job's argument is {@link #DRAIN} for a
 * drain job, or the {@link System#nanoTime()} taken just before it was enqueued for a latency
 * probe: the handler then records how long it waited. Public and static because JobRunr calls it by
 * reflection from a serialized lambda.
 */
public final class BenchJobs {
  public static final long DRAIN = -1;
  private static final AtomicLong started = new AtomicLong();
  private static final AtomicLong firstStartNanos = new AtomicLong();
  private static final AtomicLong lastStartNanos = new AtomicLong();
  private static volatile long[] latencies = new long[0];
  private static final AtomicInteger latencyCount = new AtomicInteger();
  private static volatile CountDownLatch latencyDone = new CountDownLatch(0);
  // When each drain job started (nanoTime), for the steady rate; and, when recording runs, the
  // job ids and wall-clock times (epoch nanoseconds) of every run, for checks across processes.
  private static volatile long[] startNanos = new long[0];
  private static volatile long[] runIds = new long[0];
  private static volatile long[] runEpochNanos = new long[0];
  private static final AtomicInteger runCount = new AtomicInteger();

  private BenchJobs() {}

  /** The job body of every system. */
  public static void run(Long arg) {
    long now = System.nanoTime();
    long t = arg == null ? DRAIN : arg;
    if (t == DRAIN) {
      long n = started.getAndIncrement();
      if (n == 0) {
        firstStartNanos.set(now);
      }
      long[] s = startNanos;
      if (n < s.length) {
        s[(int) n] = now;
      }
      lastStartNanos.accumulateAndGet(now, Math::max);
      return;
    }
    int i = latencyCount.getAndIncrement();
    long[] l = latencies;
    if (i < l.length) {
      l[i] = now - t;
      latencyDone.countDown();
    }
  }

  /**
   * Records an Offload job's run: its id and when (epoch nanoseconds, comparable across processes
   * on one host). Nothing unless {@link #recordRuns} made room.
   */
  static void ran(long id) {
    long[] ids = runIds;
    if (ids.length == 0) {
      return;
    }
    int i = runCount.getAndIncrement();
    if (i < ids.length) {
      ids[i] = id;
      java.time.Instant t = java.time.Instant.now();
      runEpochNanos[i] = t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
  }

  /** Makes room to record up to {@code n} runs with {@link #ran}. */
  static void recordRuns(int n) {
    runEpochNanos = new long[n];
    runIds = new long[n];
    runCount.set(0);
  }

  /** The runs recorded: ids and epoch nanoseconds, index by index. */
  static long[][] runs() {
    int n = Math.min(runCount.get(), runIds.length);
    return new long[][] {
      java.util.Arrays.copyOf(runIds, n), java.util.Arrays.copyOf(runEpochNanos, n)
    };
  }

  /** Makes room for the start times of {@code n} drain jobs (for {@link #steadyPerSec}). */
  static void expectDrain(int n) {
    startNanos = new long[n];
  }

  /** The steady rate of the drain jobs started so far: {@link Stats#steadyPerSec}. */
  static double steadyPerSec() {
    long[] s = startNanos;
    return Stats.steadyPerSec(java.util.Arrays.copyOf(s, (int) Math.min(s.length, started())));
  }

  static long started() {
    return started.get();
  }

  /** Seconds from the first drain job's start to the last one's: the rate's measure. */
  static double startSpanSecs() {
    return (lastStartNanos.get() - firstStartNanos.get()) / 1e9;
  }

  static void expectLatencies(int n) {
    latencies = new long[n];
    latencyCount.set(0);
    latencyDone = new CountDownLatch(n);
  }

  static CountDownLatch latencyDone() {
    return latencyDone;
  }

  static long[] latencies() {
    return latencies.clone();
  }
}
