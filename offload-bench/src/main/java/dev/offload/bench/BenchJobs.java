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

  private BenchJobs() {}

  /** The job body of every system. */
  public static void run(Long arg) {
    long now = System.nanoTime();
    long t = arg == null ? DRAIN : arg;
    if (t == DRAIN) {
      if (started.getAndIncrement() == 0) {
        firstStartNanos.set(now);
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
