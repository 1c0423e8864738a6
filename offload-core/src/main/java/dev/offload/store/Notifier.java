package dev.offload.store;

import java.util.function.Consumer;

/**
 * Wake-ups between nodes: {@code PgNotifier} uses LISTEN/NOTIFY, across processes; an in-process
 * notifier reaches only this JVM. Delivery is best effort: the engine still polls.
 */
public interface Notifier extends AutoCloseable {
  /** Topic whose payload is a queue name that has new runnable jobs. */
  String INSERT = "insert";

  /**
   * Topic whose payload is a comma-separated list of job ids whose progress or state changed;
   * watchers re-read those jobs.
   */
  String JOB = "job";

  /** Topic whose payload is the id of a running job whose cancellation was requested. */
  String CANCEL = "cancel";

  /** A notifier that reaches only this JVM (SQLite, tests). */
  static Notifier inProcess() {
    return new LocalNotifier();
  }

  /** Calls {@code listener} with each payload published on {@code topic}, on a notifier thread. */
  AutoCloseable subscribe(String topic, Consumer<String> listener);

  /** Publishes outside any transaction. */
  void publish(String topic, String payload);

  @Override
  void close();
}
