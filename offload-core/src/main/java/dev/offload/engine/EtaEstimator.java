package dev.offload.engine;

/**
 * Estimates the seconds left in one stage from its recent rate.
 *
 * <p>The rate is an exponentially weighted moving average of the items per second measured between
 * samples, weighted by time: a sample {@code dt} seconds after the previous one moves the average
 * by {@code 1 - exp(-dt / 5 s)} of the way to the newly measured rate. So the estimate follows a
 * rate that changes half way within about ten seconds, ignores one-off jitter, and when the job
 * stalls the measured rate is zero, the average decays and the estimate grows instead of freezing.
 * No estimate (null) before the first item is done, without a total, or when it would be over
 * {@link #MAX_SECONDS}: a guess that wild tells the user nothing.
 *
 * <p>Across attempts: an attempt that resumes a stage where the job's previous attempt on this node
 * stopped (a snooze, a retry) goes on from that attempt's {@link State}, so the time between the
 * attempts counts as time without progress. Measured within each attempt alone, a job that snoozes
 * every few seconds (a rate-limited sync) would look many times faster than it is.
 *
 * <p>Not thread-safe: the progress reporter samples it from one thread.
 */
final class EtaEstimator {
  /**
   * Where an estimate stands: the rate, and the time ({@link System#nanoTime()}) and count of the
   * last sample.
   */
  record State(double rate, long lastNanos, long lastDone) {}

  static final double TIME_CONSTANT_SECONDS = 5.0;
  static final double MAX_SECONDS = 30 * 24 * 3600.0;
  private static final double MIN_SAMPLE_SECONDS = 0.05;

  private double rate = Double.NaN;
  private long lastNanos;
  private long lastDone;

  EtaEstimator(long nowNanos, long done) {
    reset(nowNanos, done);
  }

  void reset(long nowNanos, long done) {
    rate = Double.NaN;
    lastNanos = nowNanos;
    lastDone = done;
  }

  State state() {
    return new State(rate, lastNanos, lastDone);
  }

  /** Goes on from an earlier attempt's estimate, as if this attempt had sampled it. */
  void resume(State s) {
    rate = s.rate();
    lastNanos = s.lastNanos();
    lastDone = s.lastDone();
  }

  void sample(long nowNanos, long done) {
    double dt = (nowNanos - lastNanos) / 1e9;
    if (dt < MIN_SAMPLE_SECONDS) {
      return;
    }
    double measured = Math.max(0, done - lastDone) / dt;
    if (Double.isNaN(rate)) {
      if (done > lastDone) {
        rate = measured;
      }
    } else {
      rate += (1 - Math.exp(-dt / TIME_CONSTANT_SECONDS)) * (measured - rate);
    }
    lastNanos = nowNanos;
    lastDone = done;
  }

  /** Items per second, or NaN before any item was done. */
  double rate() {
    return rate;
  }

  /** Seconds left to reach {@code total}, or null when there is nothing sound to say. */
  Double secondsLeft(long done, long total) {
    if (total < 0) {
      return null;
    }
    long remaining = total - done;
    if (remaining <= 0) {
      return 0.0;
    }
    if (Double.isNaN(rate) || rate <= 0) {
      return null;
    }
    double eta = remaining / rate;
    return eta > MAX_SECONDS ? null : eta;
  }
}
