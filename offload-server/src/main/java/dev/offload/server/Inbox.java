package dev.offload.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What an event stream's thread waits on: items offered by other threads, taken all at once, and a
 * wake-up without an item (the server is stopping). Waking instead of interrupting lets the stream
 * finish its response cleanly rather than being cut off in the middle of a write.
 */
final class Inbox<T> {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<T> items = new ArrayList<>();
  private boolean woken;

  void offer(T item) {
    lock.lock();
    try {
      items.add(item);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void wake() {
    lock.lock();
    try {
      woken = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Everything offered so far, waiting up to {@code timeout} for something; empty on timeout or
   * wake-up.
   */
  List<T> take(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (items.isEmpty() && !woken && nanos > 0) {
        nanos = changed.awaitNanos(nanos);
      }
      woken = false;
      List<T> taken = List.copyOf(items);
      items.clear();
      return taken;
    } finally {
      lock.unlock();
    }
  }
}
