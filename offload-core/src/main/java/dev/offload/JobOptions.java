package dev.offload;

import dev.offload.OffloadException.InvalidJobException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Per-kind options, given when a handler is registered. Immutable: each method returns a copy.
 *
 * <p>Defaults: queue {@code default}, priority 0, 20 attempts, {@link RetryPolicy#exponential()},
 * no timeout, no exception types declared permanent.
 *
 * @param queue the queue jobs of this kind go to unless an enqueue names another
 * @param priority the default priority, 0 (runs first) to 9
 * @param maxAttempts how many times a job of this kind runs before it is dead
 * @param retryPolicy the delay before each retry
 * @param timeout how long one attempt may run before it is interrupted, or null for no limit
 * @param permanentErrors exception types (and their subtypes) that send a job straight to dead
 * @param concurrencyKey derives a job's {@code concurrencyKey} from its typed args when its enqueue
 *     gives none ({@link #concurrencyKey(Function)}), or null
 */
public record JobOptions(
    String queue,
    int priority,
    int maxAttempts,
    RetryPolicy retryPolicy,
    @Nullable Duration timeout,
    List<Class<? extends Throwable>> permanentErrors,
    @Nullable Function<Object, @Nullable String> concurrencyKey) {

  /** The highest priority number, which runs last. */
  public static final int MAX_PRIORITY = 9;

  /** Validates the options and copies the list. */
  public JobOptions {
    Validate.queueName(queue);
    Validate.priority(priority);
    Validate.maxAttempts(maxAttempts);
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    permanentErrors = List.copyOf(permanentErrors);
  }

  /** {@return the defaults listed above} */
  public static JobOptions defaults() {
    return new JobOptions("default", 0, 20, RetryPolicy.exponential(), null, List.of(), null);
  }

  /**
   * Derives each job's concurrency key from its args, in code, for the queue's per-key limit and
   * rate, when the enqueue gives no {@code concurrencyKey} of its own:
   *
   * <pre>{@code
   * JobOptions.defaults().queue("sync").concurrencyKey((SyncArgs args) -> "tenant:" + args.tenant())
   * }</pre>
   *
   * <p>{@code A} is the kind's args type (declare the lambda's parameter type). The function runs
   * at enqueue on nodes that register the kind, with the args read as that type (also args given as
   * JSON, over HTTP or the CLI); null means no key. A key that is empty or over 255 characters, or
   * a function that throws, refuses the enqueue ({@link InvalidJobException} on {@code
   * concurrencyKey}, HTTP {@code 422}). A node that does not register the kind cannot derive it:
   * such an enqueue gives the key explicitly or has none.
   *
   * @param <A> the kind's args type
   * @param key the key of a job's args, or null for none
   * @return a copy with the derived key
   */
  @SuppressWarnings("unchecked")
  public <A> JobOptions concurrencyKey(Function<A, @Nullable String> key) {
    Objects.requireNonNull(key, "key");
    Function<Object, @Nullable String> derive =
        (Function<Object, @Nullable String>) (Function<?, @Nullable String>) key;
    return with(o -> o.concurrencyKey = derive);
  }

  /**
   * Sets the queue.
   *
   * @param queue the queue jobs of this kind go to unless an enqueue names another
   * @return a copy with that queue
   */
  public JobOptions queue(String queue) {
    return with(o -> o.queue = queue);
  }

  /**
   * Sets the default priority.
   *
   * @param priority 0 (runs first) to {@value #MAX_PRIORITY}
   * @return a copy with that priority
   */
  public JobOptions priority(int priority) {
    return with(o -> o.priority = priority);
  }

  /**
   * Sets how many attempts a job may use.
   *
   * @param maxAttempts how many times a job of this kind runs before it is dead, at least 1
   * @return a copy with that number
   */
  public JobOptions maxAttempts(int maxAttempts) {
    return with(o -> o.maxAttempts = maxAttempts);
  }

  /**
   * Sets the retry policy.
   *
   * @param retryPolicy the delay before each retry
   * @return a copy with that policy
   */
  public JobOptions retryPolicy(RetryPolicy retryPolicy) {
    return with(o -> o.retryPolicy = retryPolicy);
  }

  /**
   * Sets the timeout of an attempt.
   *
   * @param timeout how long one attempt may run before it is interrupted and fails; positive
   * @return a copy with that timeout
   */
  public JobOptions timeout(Duration timeout) {
    return with(o -> o.timeout = timeout);
  }

  /**
   * Declares exception types that retrying cannot fix, beside {@link PermanentFailure}.
   *
   * @param types the exception types; their subtypes count too
   * @return a copy that also sends these to dead
   */
  @SafeVarargs
  public final JobOptions permanentOn(Class<? extends Throwable>... types) {
    List<Class<? extends Throwable>> all = new ArrayList<>(permanentErrors);
    all.addAll(List.of(types));
    return with(o -> o.permanentErrors = all);
  }

  /** A copy of these options with {@code change} applied; the copy is validated as new. */
  private JobOptions with(Consumer<Draft> change) {
    Draft d = new Draft(this);
    change.accept(d);
    return d.build();
  }

  /** A mutable copy of the options, so that each method names only the field it sets. */
  private static final class Draft {
    String queue;
    int priority;
    int maxAttempts;
    RetryPolicy retryPolicy;
    @Nullable Duration timeout;
    List<Class<? extends Throwable>> permanentErrors;
    @Nullable Function<Object, @Nullable String> concurrencyKey;

    Draft(JobOptions o) {
      queue = o.queue;
      priority = o.priority;
      maxAttempts = o.maxAttempts;
      retryPolicy = o.retryPolicy;
      timeout = o.timeout;
      permanentErrors = o.permanentErrors;
      concurrencyKey = o.concurrencyKey;
    }

    JobOptions build() {
      return new JobOptions(
          queue, priority, maxAttempts, retryPolicy, timeout, permanentErrors, concurrencyKey);
    }
  }

  /**
   * Whether {@code error} sends a job of this kind straight to dead.
   *
   * @param error what an attempt threw
   * @return true for a {@link PermanentFailure} or one of the declared types
   */
  public boolean isPermanent(Throwable error) {
    if (error instanceof PermanentFailure) {
      return true;
    }
    for (Class<? extends Throwable> type : permanentErrors) {
      if (type.isInstance(error)) {
        return true;
      }
    }
    return false;
  }

  /**
   * How long to wait before the next attempt of a job whose attempt failed. The default is {@link
   * #exponential()}: {@code base * factor^(attempt-1)}, capped, with random jitter so a burst of
   * failures does not retry in lockstep.
   *
   * <p>Implementations must be thread-safe; they are called from worker threads.
   */
  @FunctionalInterface
  public interface RetryPolicy {

    /**
     * The delay before the next attempt.
     *
     * @param failedAttempt the attempt that just failed, starting at 1
     * @return the delay, or null to retry no more (the job becomes dead)
     */
    @Nullable Duration delay(int failedAttempt);

    /** {@return the default: 1 s, doubling, capped at 1 h, with ±20 % jitter} */
    static RetryPolicy exponential() {
      return exponential(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), 0.2);
    }

    /**
     * Exponential backoff: {@code base * factor^(failedAttempt-1)}, at most {@code cap}, then moved
     * by a random amount of up to {@code jitter} (a fraction: 0.2 is ±20 %).
     *
     * @param base the delay after the first failure; positive
     * @param factor what each further failure multiplies the delay by; at least 1
     * @param cap the longest delay; at least {@code base}
     * @param jitter the random share added or taken, in [0, 1)
     * @return the policy
     */
    static RetryPolicy exponential(Duration base, double factor, Duration cap, double jitter) {
      return new Exponential(base, factor, cap, jitter);
    }

    /**
     * The same delay after every failure.
     *
     * @param delay the delay; not negative
     * @return the policy
     */
    static RetryPolicy fixed(Duration delay) {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("retry delay must not be negative, got " + delay);
      }
      return attempt -> delay;
    }

    /** {@return a policy that retries at once} */
    static RetryPolicy immediate() {
      return attempt -> Duration.ZERO;
    }

    /** {@return a policy that never retries: the first failure makes the job dead} */
    static RetryPolicy none() {
      return attempt -> null;
    }

    /**
     * Exponential backoff with jitter; validated on construction.
     *
     * @param base the delay after the first failure; positive
     * @param factor what each further failure multiplies the delay by; at least 1
     * @param cap the longest delay; at least {@code base}
     * @param jitter the random share added or taken, in [0, 1)
     */
    record Exponential(Duration base, double factor, Duration cap, double jitter)
        implements RetryPolicy {
      /** Validates the parameters. */
      public Exponential {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(cap, "cap");
        if (base.isNegative() || base.isZero()) {
          throw new IllegalArgumentException("retry base must be positive, got " + base);
        }
        if (!(factor >= 1.0)) {
          throw new IllegalArgumentException("retry factor must be at least 1, got " + factor);
        }
        if (cap.compareTo(base) < 0) {
          throw new IllegalArgumentException("retry cap " + cap + " is below the base " + base);
        }
        if (!(jitter >= 0.0 && jitter < 1.0)) {
          throw new IllegalArgumentException("retry jitter must be in [0, 1), got " + jitter);
        }
      }

      @Override
      public Duration delay(int failedAttempt) {
        double millis = base.toMillis() * Math.pow(factor, Math.max(0, failedAttempt - 1));
        millis = Math.min(millis, cap.toMillis());
        if (jitter > 0) {
          millis *= 1.0 + ThreadLocalRandom.current().nextDouble(-jitter, jitter);
        }
        return Duration.ofMillis(Math.round(millis));
      }
    }
  }
}
