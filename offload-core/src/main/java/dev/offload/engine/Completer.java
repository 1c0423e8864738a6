package dev.offload.engine;

import dev.offload.store.Store;
import dev.offload.store.Store.Completion;
import dev.offload.store.Store.RejectedWriteException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the ends of attempts in batches: whatever finished while the previous batch was being
 * written goes out in one statement, so throughput is not bound by one round trip per job. When the
 * store is unreachable the completions wait here and go out once it answers again.
 *
 * <p>A batch the store refuses ({@link RejectedWriteException}: data it cannot hold, not an outage)
 * is split in halves until each refused completion stands alone; the rest are written, and a
 * refused one is replaced by its fallback (the job ends dead with the store's reason), so one job's
 * data never holds up the others or gets them run again.
 */
final class Completer implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Completer.class);
  static final int MAX_BATCH = 1_000;

  /**
   * A completion to write and what to write instead when the store refuses it.
   *
   * @param ifRefused the completion that ends the job with the store's reason, or null to leave the
   *     job to the rescuer
   */
  record Pending(Completion completion, Function<String, Completion> ifRefused) {}

  private final Store store;
  private final Consumer<List<Completion>> onWritten;
  private final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
  private final OutageLog outage = new OutageLog(log, "writing finished jobs");
  private final Object flushed = new Object();
  private volatile boolean stopping;
  // Added and not yet written (queued or in the batch being written); drain waits for zero.
  private final AtomicInteger unwritten = new AtomicInteger();

  Completer(Store store, Consumer<List<Completion>> onWritten) {
    this.store = store;
    this.onWritten = onWritten;
  }

  void add(Completion completion) {
    add(completion, null);
  }

  void add(Completion completion, Function<String, Completion> ifRefused) {
    unwritten.incrementAndGet();
    pending.add(new Pending(completion, ifRefused));
  }

  /** Lets {@link #run} start again after a {@link #drain}. */
  void reset() {
    stopping = false;
  }

  @Override
  public void run() {
    Backoff backoff = new Backoff();
    List<Pending> batch = new ArrayList<>();
    while (true) {
      try {
        if (batch.isEmpty()) {
          Pending first = pending.poll(100, TimeUnit.MILLISECONDS);
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
        } catch (RuntimeException e) {
          outage.failed(e);
          backoff.pause();
        }
      } catch (InterruptedException e) {
        if (!batch.isEmpty() || !pending.isEmpty()) {
          log.warn(
              "stopped with {} finished jobs not written; their leases will expire and they will run again",
              batch.size() + pending.size());
        }
        return;
      }
    }
  }

  /**
   * Writes {@code batch}, splitting what the store refuses; what is written (or replaced by its
   * fallback) leaves {@code batch}. On any other failure (an outage) the rest stays in {@code
   * batch} for the next try and the failure is thrown.
   */
  void runOnce(List<Pending> batch) {
    // Halves are pushed second-first, so parts are written in order and the done ones are a prefix.
    Deque<List<Pending>> parts = new ArrayDeque<>();
    parts.push(List.copyOf(batch));
    int done = 0;
    try {
      while (!parts.isEmpty()) {
        List<Pending> part = parts.pop();
        try {
          write(part);
        } catch (RejectedWriteException e) {
          if (part.size() > 1) {
            int half = part.size() / 2;
            parts.push(part.subList(half, part.size()));
            parts.push(part.subList(0, half));
            continue;
          }
          writeInstead(part.get(0), e.getMessage());
        }
        done += part.size();
      }
    } finally {
      if (done > 0) {
        batch.subList(0, done).clear();
        unwritten.addAndGet(-done);
        synchronized (flushed) {
          flushed.notifyAll();
        }
      }
    }
  }

  private void write(List<Pending> part) {
    List<Completion> completions = new ArrayList<>(part.size());
    part.forEach(p -> completions.add(p.completion()));
    List<Long> written = store.jobCompleteMany(completions);
    onWritten.accept(completions);
    if (written.size() < completions.size()) {
      log.debug(
          "{} of {} completions were stale (their job was rescued or released)",
          completions.size() - written.size(),
          completions.size());
    }
  }

  private void writeInstead(Pending refused, String reason) {
    long id = refused.completion().id();
    Completion instead = refused.ifRefused() == null ? null : refused.ifRefused().apply(reason);
    if (instead == null) {
      log.error(
          "the store refused the end of job {} ({}); it stays running until its lease expires",
          id,
          reason);
      // Done with here all the same: the node stops counting it as a completion to write.
      onWritten.accept(List.of(refused.completion()));
      return;
    }
    try {
      write(List.of(new Pending(instead, null)));
      log.warn(
          "job {} ended {}: the store refused its outcome: {}",
          id,
          instead.state().wireName(),
          reason);
    } catch (RejectedWriteException e) {
      log.error(
          "the store refused the end of job {} ({}), and then its error ({}); it stays running until its lease expires",
          id,
          reason,
          e.getMessage());
      onWritten.accept(List.of(refused.completion()));
    }
  }

  /**
   * Writes every completion added so far on the calling thread (the test kit's one-job-at-a-time
   * runs, where no completer thread runs).
   *
   * @throws RuntimeException when the store fails; what was not written is kept for the next try
   */
  void writeNow() {
    List<Pending> batch = new ArrayList<>();
    pending.drainTo(batch);
    try {
      while (!batch.isEmpty()) {
        runOnce(batch);
      }
    } finally {
      pending.addAll(batch);
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
