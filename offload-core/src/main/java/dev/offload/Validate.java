package dev.offload;

import dev.offload.OffloadException.InvalidJobException;
import java.util.regex.Pattern;

/** Input checks shared by the API records; each message names the field and the bad value. */
final class Validate {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  private Validate() {}

  static void kind(String kind) {
    if (kind == null || !NAME.matcher(kind).matches()) {
      throw InvalidJobException.invalid(
          "kind",
          "kind must be 1-128 letters, digits, '.', '_', ':' or '-' (starting with a letter or digit), got "
              + quote(kind));
    }
  }

  static void queueName(String queue) {
    if (queue == null || !NAME.matcher(queue).matches()) {
      throw InvalidJobException.invalid(
          "queue",
          "queue must be 1-128 letters, digits, '.', '_', ':' or '-' (starting with a letter or digit), got "
              + quote(queue));
    }
  }

  static void scheduleName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
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
