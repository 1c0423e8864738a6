package dev.offload;

import dev.offload.OffloadException.InvalidJobException;
import org.jspecify.annotations.Nullable;

/** Input checks shared by the API records; each message names the field and the bad value. */
final class Validate {
  private Validate() {}

  /**
   * Whether {@code name} is 1-128 of letters, digits, '.', '_', ':' or '-', starting with a letter
   * or digit ({@code [A-Za-z0-9][A-Za-z0-9._:-]{0,127}}); a loop rather than a regex, since every
   * enqueued job checks its kind.
   */
  private static boolean isName(@Nullable String name) {
    if (name == null || name.isEmpty() || name.length() > 128) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
      if (!alnum && (i == 0 || c != '.' && c != '_' && c != ':' && c != '-')) {
        return false;
      }
    }
    return true;
  }

  static void kind(String kind) {
    if (!isName(kind)) {
      throw InvalidJobException.invalid(
          "kind",
          "kind must be 1-128 letters, digits, '.', '_', ':' or '-' (starting with a letter or digit), got "
              + quote(kind));
    }
  }

  static void queueName(String queue) {
    if (!isName(queue)) {
      throw InvalidJobException.invalid(
          "queue",
          "queue must be 1-128 letters, digits, '.', '_', ':' or '-' (starting with a letter or digit), got "
              + quote(queue));
    }
  }

  static void scheduleName(String name) {
    if (!isName(name)) {
      throw new IllegalArgumentException(
          "schedule name must be 1-128 letters, digits, '.', '_', ':' or '-' (starting with a letter or digit), got "
              + quote(name));
    }
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

  private static String quote(String s) {
    return s == null ? "null" : "'" + s + "'";
  }
}
