package dev.offload.engine;

import dev.offload.Job;
import dev.offload.store.Store;
import dev.offload.store.Store.Notifier;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a job's progress and state changes to listeners on any node. A store notification
 * ({@link Notifier#JOB}: LISTEN/NOTIFY on PostgreSQL, in-process on SQLite) says which jobs
 * changed; the watcher re-reads the watched ones and calls their listeners when something they can
 * see moved. A poll every second covers missed notifications and other processes on SQLite. After a
 * job reaches a final state its listeners get that last update and are dropped.
 *
 * <p>Listeners run on one watcher thread, in order per job; keep them quick.
 */
final class JobWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobWatcher.class);

  private final Store store;
  private final Map<Long, List<Consumer<Job>>> listeners = new ConcurrentHashMap<>();
  private final Map<Long, String> lastSeen = new ConcurrentHashMap<>();
  private final Set<Long> pending = ConcurrentHashMap.newKeySet();
  private ExecutorService refresher;
  private ScheduledExecutorService poller;
  private AutoCloseable subscription;

  JobWatcher(Store store) {
    this.store = store;
  }

  /** Calls {@code listener} with the job now and after each change, until it ends or is closed. */
  public synchronized AutoCloseable watch(long id, Consumer<Job> listener) {
    Objects.requireNonNull(listener, "listener");
    if (refresher == null) {
      refresher =
          Executors.newSingleThreadExecutor(
              Thread.ofPlatform().daemon().name("offload-watcher").factory());
      poller =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().daemon().name("offload-watch-poll").factory());
      poller.scheduleWithFixedDelay(
          () -> listeners.keySet().forEach(this::schedule), 1, 1, TimeUnit.SECONDS);
      subscription = store.notifier().subscribe(Notifier.JOB, this::onChanged);
    }
    List<Consumer<Job>> list = listeners.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
    list.add(listener);
    lastSeen.remove(id);
    schedule(id);
    return () -> {
      list.remove(listener);
      listeners.computeIfPresent(id, (k, v) -> v.isEmpty() ? null : v);
    };
  }

  private void onChanged(String payload) {
    for (String part : payload.split(",")) {
      try {
        long id = Long.parseLong(part.trim());
        if (listeners.containsKey(id)) {
          schedule(id);
        }
      } catch (NumberFormatException e) {
        log.debug("ignoring malformed job notification {}", payload);
      }
    }
  }

  private void schedule(long id) {
    if (pending.add(id)) {
      refresher.execute(() -> {
        pending.remove(id);
        refresh(id);
      });
    }
  }

  private void refresh(long id) {
    List<Consumer<Job>> list = listeners.get(id);
    if (list == null || list.isEmpty()) {
      return;
    }
    Job job;
    try {
      job = store.jobGet(id).orElse(null);
    } catch (RuntimeException e) {
      log.debug("could not read watched job {}", id, e);
      return;
    }
    if (job == null) {
      return;
    }
    String seen =
        job.state()
            + "/"
            + job.attempt()
            + "/"
            + (job.progress() == null ? "" : job.progress().updatedAt())
            + "/"
            + job.finishedAt();
    if (seen.equals(lastSeen.put(id, seen))) {
      return;
    }
    for (Consumer<Job> l : list) {
      try {
        l.accept(job);
      } catch (RuntimeException e) {
        log.warn("watcher of job {} failed", id, e);
      }
    }
    if (job.state().isFinal()) {
      listeners.remove(id);
      lastSeen.remove(id);
    }
  }

  @Override
  public synchronized void close() {
    if (refresher != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        log.debug("unsubscribe failed", e);
      }
      poller.shutdownNow();
      refresher.shutdownNow();
      refresher = null;
    }
    listeners.clear();
  }
}
