package dev.offload;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-kind options, given when a handler is registered. Immutable: each method returns a copy.
 *
 * <p>Defaults: queue {@code default}, priority 0, 20 attempts, {@link RetryPolicy#exponential()},
 * no timeout.
 *
 * @param queue the queue jobs of this kind go to unless an enqueue names another
 * @param priority the default priority, 0 (runs first) to 9
 * @param maxAttempts how many times a job of this kind runs before it is dead
 * @param retryPolicy the delay before each retry
 * @param timeout how long one attempt may run before it is interrupted, or null for no limit
 */
public record JobOptions(
    String queue, int priority, int maxAttempts, RetryPolicy retryPolicy, Duration timeout) {

  public static final int MAX_PRIORITY = 9;

  public JobOptions {
    Validate.queueName(queue);
    Validate.priority(priority);
    Validate.maxAttempts(maxAttempts);
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
  }

  public static JobOptions defaults() {
    return new JobOptions("default", 0, 20, RetryPolicy.exponential(), null);
  }

  public JobOptions queue(String queue) {
    return new JobOptions(queue, priority, maxAttempts, retryPolicy, timeout);
  }

  public JobOptions priority(int priority) {
    return new JobOptions(queue, priority, maxAttempts, retryPolicy, timeout);
  }

  public JobOptions maxAttempts(int maxAttempts) {
    return new JobOptions(queue, priority, maxAttempts, retryPolicy, timeout);
  }

  public JobOptions retryPolicy(RetryPolicy retryPolicy) {
    return new JobOptions(queue, priority, maxAttempts, retryPolicy, timeout);
  }

  public JobOptions timeout(Duration timeout) {
    return new JobOptions(queue, priority, maxAttempts, retryPolicy, timeout);
  }
}
