package dev.offload.cli;

import dev.offload.Job;
import dev.offload.Job.Progress;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws one progress line per job in a terminal: a bar, percent, stage, message, ETA and elapsed
 * time. On a TTY the lines are redrawn in place (ANSI cursor movement); otherwise each change is
 * printed as a plain line, and only when the job's line would read differently, so logs stay short.
 * Not thread-safe: draw from one thread.
 */
final class ProgressBars {
  private static final int BAR = 24;
  private final PrintStream out;
  private final boolean tty;
  private final int width;
  private final Map<Long, String> lines = new LinkedHashMap<>();
  private final Map<Long, String> printed = new LinkedHashMap<>();
  private int drawn;

  ProgressBars(PrintStream out, boolean tty, int width) {
    this.out = out;
    this.tty = tty;
    // Never wider than the terminal: a line that wraps breaks the cursor movement of the redraw.
    this.width = Math.max(20, width);
  }

  /** A TTY when the JVM has a console whose output is a terminal. */
  static boolean isTty() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  /** See {@link Terminal#width()}: asked of the terminal, then {@code COLUMNS}, then 80. */
  static int terminalWidth() {
    return Terminal.width();
  }

  /** Sets the line of {@code job} (labelled {@code label}) and redraws. */
  void update(String label, Job job, Instant now) {
    lines.put(job.id().value(), line(label, job, now));
    draw();
  }

  private void draw() {
    if (tty) {
      StringBuilder s = new StringBuilder();
      if (drawn > 0) {
        s.append("\033[").append(drawn).append('F');
      }
      for (String line : lines.values()) {
        s.append("\033[2K").append(line).append('\n');
      }
      out.print(s);
      out.flush();
      drawn = lines.size();
    } else {
      lines.forEach((id, line) -> {
        if (!line.equals(printed.get(id))) {
          out.println(line);
          printed.put(id, line);
        }
      });
    }
  }

  String line(String label, Job job, Instant now) {
    Progress p = job.progress();
    double percent =
        p == null ? (job.state() == dev.offload.Job.JobState.SUCCEEDED ? 100 : 0) : p.percent();
    List<String> parts = new ArrayList<>();
    parts.add(pad(label, 22));
    parts.add(bar(percent));
    parts.add(String.format("%5.1f%%", percent));
    parts.add(pad(job.state().wireName(), 9));
    if (p != null && p.stage() != null) {
      parts.add(p.stage());
    }
    if (p != null && p.eta() != null && !job.state().isFinal()) {
      parts.add("ETA " + duration(Duration.ofMillis((long) (p.eta() * 1000))));
    }
    if (job.startedAt() != null) {
      Instant end = job.finishedAt() != null ? job.finishedAt() : now;
      parts.add(duration(Duration.between(job.startedAt(), end)) + " elapsed");
    }
    if (p != null && p.message() != null) {
      // A message is the handler's text: a line break or tab in it would break the line.
      parts.add("· " + p.message().replaceAll("[\\p{Cntrl}]+", " ").strip());
    }
    String line = String.join(" ", parts);
    return tty && line.length() > width - 1 ? line.substring(0, width - 2) + "…" : line;
  }

  private static String bar(double percent) {
    int full = (int) Math.round(Math.max(0, Math.min(100, percent)) / 100 * BAR);
    return "[" + "#".repeat(full) + "-".repeat(BAR - full) + "]";
  }

  private static String pad(String s, int n) {
    return s.length() >= n ? s.substring(0, n) : s + " ".repeat(n - s.length());
  }

  static String duration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + String.format("%02d", s % 60) + "s";
    }
    return (s / 3600) + "h" + String.format("%02d", (s % 3600) / 60) + "m";
  }
}
