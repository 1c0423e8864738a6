package dev.offload.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The width of the terminal a command draws on: asked of the terminal itself ({@code stty size} on
 * {@code /dev/tty}), since {@code COLUMNS} is a shell variable that is rarely exported and goes
 * stale when the window is resized; then {@code COLUMNS}; then 80, which every terminal has.
 */
final class Terminal {
  static final int FALLBACK_WIDTH = 80;

  private Terminal() {}

  static int width() {
    return width(sttySize(), System.getenv());
  }

  /**
   * The columns of {@code stty size}'s answer (e.g. {@code "24 80"}), else {@code COLUMNS}, else
   * 80.
   */
  static int width(String sttySize, Map<String, String> env) {
    if (sttySize != null) {
      String[] parts = sttySize.trim().split("\\s+");
      Integer columns = parts.length == 2 ? positive(parts[1]) : null;
      if (columns != null) {
        return columns;
      }
    }
    Integer columns = positive(env.get("COLUMNS"));
    return columns != null ? columns : FALLBACK_WIDTH;
  }

  /** What {@code stty size} says about the controlling terminal, or null without one. */
  private static String sttySize() {
    try {
      Process p =
          new ProcessBuilder("sh", "-c", "stty size < /dev/tty")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(1, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      String answer = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      return p.exitValue() == 0 ? answer : null;
    } catch (IOException e) {
      return null; // no sh or no stty: nothing to ask
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static Integer positive(String s) {
    if (s == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(s.trim());
      return n > 0 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
