package dev.offload;

import dev.offload.OffloadException.InvalidJobException;
import java.util.Locale;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** Input checks shared by the API records; each message names the field and the bad value. */
final class Validate {
  private Validate() {}

  static void kind(String kind) {
    String problem = nameProblem("kind", kind);
    if (problem != null) {
      throw InvalidJobException.invalid("kind", problem);
    }
  }

  static void queueName(String queue) {
    String problem = nameProblem("queue", queue);
    if (problem != null) {
      throw InvalidJobException.invalid("queue", problem);
    }
  }

  static void scheduleName(String name) {
    String problem = nameProblem("schedule name", name);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** What is wrong with {@code value} as the name of a kind, queue or schedule; null if nothing. */
  private static @Nullable String nameProblem(String what, @Nullable String value) {
    if (value != null && isName(value)) {
      return null;
    }
    return what
        + " must be 1-128 letters, digits, '.', '_', ':' or '-' (starting with a letter or digit),"
        + " got "
        + (value == null ? "null" : "'" + value + "'");
  }

  /**
   * Whether {@code value} is 1-128 of {@code [A-Za-z0-9._:-]}, the first a letter or digit. A loop
   * rather than a regex: every job of a batch checks its kind, and a matcher cost more than the
   * rest of the request's checks.
   */
  private static boolean isName(String value) {
    int n = value.length();
    if (n == 0 || n > 128) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      boolean letterOrDigit = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
      if (!letterOrDigit && (i == 0 || c != '.' && c != '_' && c != ':' && c != '-')) {
        return false;
      }
    }
    return true;
  }

  /** The job options an enqueue, a schedule or a step may leave unset (null) for the kind's. */
  static void optionalJobOptions(
      @Nullable String queue, @Nullable Integer priority, @Nullable Integer maxAttempts) {
    if (queue != null) {
      queueName(queue);
    }
    if (priority != null) {
      priority(priority);
    }
    if (maxAttempts != null) {
      maxAttempts(maxAttempts);
    }
  }

  /**
   * The constant of {@code values} whose wire name (its name in lower case) is {@code name}.
   *
   * @throws IllegalArgumentException with {@code problem}'s message when there is none
   */
  static <E extends Enum<E>> E fromWire(
      E[] values, @Nullable String name, Supplier<String> problem) {
    for (E e : values) {
      if (e.name().toLowerCase(Locale.ROOT).equals(name)) {
        return e;
      }
    }
    throw new IllegalArgumentException(problem.get());
  }

  static void priority(int priority) {
    if (priority < 0 || priority > JobOptions.MAX_PRIORITY) {
      throw InvalidJobException.invalid(
          "priority",
          "priority must be between 0 (runs first) and "
              + JobOptions.MAX_PRIORITY
              + ", got "
              + priority);
    }
  }

  static void maxAttempts(int maxAttempts) {
    if (maxAttempts < 1 || maxAttempts > 1000) {
      throw InvalidJobException.invalid(
          "maxAttempts", "maxAttempts must be between 1 and 1000, got " + maxAttempts);
    }
  }
}
