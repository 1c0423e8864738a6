package dev.offload.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Samples the heap in use every 10 ms on a daemon thread and keeps the highest value. */
final class HeapSampler {
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private volatile long peak;

  HeapSampler start() {
    Thread.ofPlatform().name("heap-sampler").daemon().start(() -> {
      while (true) {
        sample();
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    return this;
  }

  private void sample() {
    long used = memory.getHeapMemoryUsage().getUsed();
    if (used > peak) {
      peak = used;
    }
  }

  double peakMb() {
    sample();
    return peak / (1024.0 * 1024.0);
  }
}
