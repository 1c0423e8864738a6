package dev.offload.engine;

import dev.offload.store.Completion;
import dev.offload.store.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the ends of attempts in batches: whatever finished while the previous batch was being
 * written goes out in one statement, so throughput is not bound by one round trip per job. When
 * the store is unreachable the completions wait here and go out once it answers again.
 */
final class Completer implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Completer.class);
  static final int MAX_BATCH = 1_000;

  private final Store store;
  private final java.util.function.Consumer<List<Completion>> onWritten;
  private final LinkedBlockingQueue<Completion> pending = new LinkedBlockingQueue<>();
  private final OutageLog outage = new OutageLog(log, "writing finished jobs");
  private final Object flushed = new Object();
  private volatile boolean stopping;
  // Added and not yet written (queued or in the batch being written); drain waits for zero.
  private final java.util.concurrent.atomic.AtomicInteger unwritten = new java.util.concurrent.atomic.AtomicInteger();

  Completer(Store store, java.util.function.Consumer<List<Completion>> onWritten) {
    this.store = store;
    this.onWritten = onWritten;
  }

  void add(Completion completion) {
    unwritten.incrementAndGet();
    pending.add(completion);
  }

  @Override
  public void run() {
    Backoff backoff = new Backoff();
    List<Completion> batch = new ArrayList<>();
    while (true) {
      try {
        if (batch.isEmpty()) {
          Completion first = pending.poll(100, TimeUnit.MILLISECONDS);
          if (first == null) {
            if (stopping && pending.isEmpty()) {
              return;
            }
            continue;
          }
          batch.add(first);
          pending.drainTo(batch, MAX_BATCH - 1);
        }
        try {
          runOnce(batch);
          outage.succeeded();
          backoff.reset();
          unwritten.addAndGet(-batch.size());
          batch.clear();
          synchronized (flushed) {
            flushed.notifyAll();
          }
        } catch (RuntimeException e) {
          outage.failed(e);
          backoff.pause();
        }
      } catch (InterruptedException e) {
        if (!batch.isEmpty() || !pending.isEmpty()) {
          log.warn("stopped with {} finished jobs not written; their leases will expire and they will run again",
              batch.size() + pending.size());
        }
        return;
      }
    }
  }

  void runOnce(List<Completion> batch) {
    List<Long> written = store.jobCompleteMany(batch);
    onWritten.accept(batch);
    if (written.size() < batch.size()) {
      log.debug("{} of {} completions were stale (their job was rescued or released)", batch.size() - written.size(), batch.size());
    }
  }

  /** Stops once every completion added so far is written, or {@code timeoutMillis} passed. */
  void drain(long timeoutMillis) throws InterruptedException {
    stopping = true;
    long deadline = System.currentTimeMillis() + timeoutMillis;
    synchronized (flushed) {
      while (unwritten.get() > 0 && System.currentTimeMillis() < deadline) {
        flushed.wait(50);
      }
    }
  }

  int pendingCount() {
    return unwritten.get();
  }
}
