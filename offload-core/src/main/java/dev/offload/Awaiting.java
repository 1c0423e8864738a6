package dev.offload;

import dev.offload.Job.JobId;
import dev.offload.engine.Node;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Waits for a job to end, for {@link Offload#await} and {@link Offload#runOrDefer}: it follows the
 * job's changes on every node through the node's job watcher, so the wait ends as soon as the final
 * state is stored, not at the next poll.
 */
final class Awaiting {
  private Awaiting() {}

  /**
   * The job in its final state, or null when it did not end within {@code timeout}.
   *
   * @throws InterruptedException if the caller is interrupted while waiting
   */
  static @Nullable Job finalState(Node node, JobId id, Duration timeout)
      throws InterruptedException {
    CountDownLatch ended = new CountDownLatch(1);
    AtomicReference<Job> last = new AtomicReference<>();
    try (AutoCloseable w =
        node.watch(
            id.value(),
            job -> {
              last.set(job);
              if (job.state().isFinal()) {
                ended.countDown();
              }
            })) {
      return ended.await(millis(timeout), TimeUnit.MILLISECONDS) ? last.get() : null;
    } catch (InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A timeout too long for a long of milliseconds waits as long as a long can say. */
  private static long millis(Duration timeout) {
    if (timeout.isNegative()) {
      return 0;
    }
    return timeout.compareTo(Duration.ofMillis(Long.MAX_VALUE)) >= 0
        ? Long.MAX_VALUE
        : timeout.toMillis();
  }
}
