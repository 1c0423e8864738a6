package dev.offload.store;

import dev.offload.store.Store.Notifier;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wake-ups within one JVM, for stores without a cross-process channel (SQLite). Listeners run on
 * the publishing thread and must be quick; the engine's only signal a producer.
 */
final class LocalNotifier implements Notifier {
  private static final Logger log = LoggerFactory.getLogger(LocalNotifier.class);
  private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();

  @Override
  public AutoCloseable subscribe(String topic, Consumer<String> listener) {
    List<Consumer<String>> list =
        listeners.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>());
    list.add(listener);
    return () -> list.remove(listener);
  }

  @Override
  public void publish(String topic, String payload) {
    for (Consumer<String> l : listeners.getOrDefault(topic, List.of())) {
      try {
        l.accept(payload);
      } catch (RuntimeException e) {
        log.warn("notification listener for {} failed", topic, e);
      }
    }
  }

  @Override
  public void close() {
    listeners.clear();
  }
}
