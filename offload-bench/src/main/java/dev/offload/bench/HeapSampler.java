package dev.offload.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Samples the heap in use every few ms (10 unless told) on a daemon thread and keeps the highest
 * value; also the highest heap in use just after a collection (from each GC's notification), which
 * is closer to the live set than the in-use peak, since garbage counts until it is collected.
 */
final class HeapSampler {
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private volatile long peak;
  private volatile long peakAfterGc;
  private final long periodMillis;

  HeapSampler() {
    this(10);
  }

  /**
   * @param periodMillis how often to sample: the {@code --nodes} workers sample every 100 ms, so
   *     that four processes' samplers do not cost four times one's CPU in the drain they measure
   */
  HeapSampler(long periodMillis) {
    this.periodMillis = periodMillis;
  }

  HeapSampler start() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(
            (n, handback) -> {
              if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                  n.getType())) {
                return;
              }
              var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
              long after = 0;
              for (MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
                after += u.getUsed();
              }
              // Non-heap pools (metaspace, code cache) are in the map too; count the heap only.
              for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (isNonHeap(e.getKey())) {
                  after -= e.getValue().getUsed();
                }
              }
              synchronized (this) {
                if (after > peakAfterGc) {
                  peakAfterGc = after;
                }
              }
            },
            null,
            null);
      }
    }
    Thread.ofPlatform()
        .name("heap-sampler")
        .daemon()
        .start(() -> {
          while (true) {
            sample();
            try {
              Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
              return;
            }
          }
        });
    return this;
  }

  private static boolean isNonHeap(String pool) {
    for (var p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getName().equals(pool)) {
        return p.getType() != java.lang.management.MemoryType.HEAP;
      }
    }
    return true;
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

  /** The most heap in use right after any collection so far; 0 if none ran. */
  double peakAfterGcMb() {
    return peakAfterGc / (1024.0 * 1024.0);
  }
}
