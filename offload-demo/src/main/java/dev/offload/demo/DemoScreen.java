package dev.offload.demo;

import dev.offload.Job;
import dev.offload.Job.JobState;
import dev.offload.Job.Progress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo's terminal: a block of progress lines (one per long job, one for the emails) with event
 * lines scrolling above it. On a TTY the block is redrawn in place (ANSI cursor movement, as {@code
 * offload status --follow} does) and every line is cut to the terminal's width, so a redraw never
 * wraps; otherwise events are printed as they come and the block every {@link #PLAIN_EVERY}, so a
 * log stays readable. ASCII only. Not thread-safe: draw from one thread.
 *
 * <p>A line reads {@code label [bar] percent stage-or-state ETA message}; compact, so the message
 * keeps room on an 80- to 120-column terminal.
 */
final class DemoScreen {
  static final Duration PLAIN_EVERY = Duration.ofSeconds(5);
  private static final int LABEL = 22;
  private static final int BAR = 20;

  private final PrintStream out;
  private final boolean tty;
  private final int width;
  private final List<String> events = new ArrayList<>();
  private int drawn;
  private long plainPrintedNanos;
  private boolean plainPrintedOnce;

  DemoScreen(PrintStream out, boolean tty, int width) {
    this.out = out;
    this.tty = tty;
    this.width = Math.max(60, width);
  }

  boolean tty() {
    return tty;
  }

  /**
   * The terminal's width: {@code stty size} on the controlling terminal, else {@code $COLUMNS},
   * else 100.
   */
  static int terminalWidth() {
    try {
      Process p =
          new ProcessBuilder("sh", "-c", "stty size < /dev/tty").redirectErrorStream(true).start();
      if (p.waitFor(1, TimeUnit.SECONDS) && p.exitValue() == 0) {
        String[] parts = new String(p.getInputStream().readAllBytes()).trim().split("\\s+");
        if (parts.length == 2) {
          return Integer.parseInt(parts[1]);
        }
      } else {
        p.destroy();
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // no stty, no terminal: fall back below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return columns();
  }

  /** {@code $COLUMNS}, else 100. */
  static int columns() {
    try {
      return Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100"));
    } catch (NumberFormatException e) {
      return 100;
    }
  }

  /** 42s, 1m05s, 2h03m: the CLI's notation for a duration. */
  static String duration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    return s < 60
        ? s + "s"
        : s < 3600
            ? String.format("%dm%02ds", s / 60, s % 60)
            : String.format("%dh%02dm", s / 3600, s % 3600 / 60);
  }

  /** An event line, printed above the block at the next {@link #draw} (at once when not a TTY). */
  void event(String line) {
    if (tty) {
      events.add(line);
    } else {
      out.println(line);
    }
  }

  /**
   * Prints a line below the block (and the events not drawn yet); the next block starts beneath it.
   */
  void println(String line) {
    events.forEach(out::println);
    events.clear();
    out.println(line);
    out.flush();
    drawn = 0;
  }

  /**
   * Draws the block. On a TTY always; otherwise when {@code force} or every {@link #PLAIN_EVERY}.
   */
  void draw(List<String> lines, boolean force) {
    if (tty) {
      StringBuilder s = new StringBuilder();
      if (drawn > 0) {
        // Up to the block's first line, and clear from there down: events may wrap, lines never do.
        s.append("\033[").append(drawn).append('F').append("\033[J");
      }
      for (String e : events) {
        s.append(e).append('\n');
      }
      events.clear();
      for (String line : lines) {
        s.append(cut(line)).append('\n');
      }
      out.print(s);
      out.flush();
      drawn = lines.size();
      return;
    }
    long now = System.nanoTime();
    if (force || !plainPrintedOnce || now - plainPrintedNanos >= PLAIN_EVERY.toNanos()) {
      lines.forEach(out::println);
      out.flush();
      plainPrintedNanos = now;
      plainPrintedOnce = true;
    }
  }

  private String cut(String line) {
    return line.length() <= width - 1 ? line : line.substring(0, width - 4) + "...";
  }

  // ---------------------------------------------------------------- lines

  /** The line of a long job, with {@code etaSeconds} left (null when unknown). */
  static String jobLine(String label, Job job, Double etaSeconds) {
    Progress p = job.progress();
    JobState state = job.state();
    double percent = state == JobState.SUCCEEDED ? 100 : p == null ? 0 : p.percent();
    String column;
    if (state == JobState.RUNNING && p != null && p.stage() != null) {
      column = p.stage();
    } else {
      column = stateName(state);
    }
    String time = "";
    if (state.isFinal() && job.finishedAt() != null) {
      time = "in " + DemoRun.seconds(Duration.between(since(job), job.finishedAt()));
    } else if (etaSeconds != null) {
      time = "ETA " + duration(Duration.ofMillis((long) (etaSeconds * 1000) + 999));
    }
    String message = p == null || p.message() == null ? "" : p.message();
    return line(label, percent, column, time, message);
  }

  /**
   * Where a job's time starts: when it was enqueued, or for a workflow step that waited for others,
   * when its handler first started (its time waiting belongs to the steps before it).
   */
  static java.time.Instant since(Job job) {
    boolean waitedForSteps =
        job.step() != null && job.workflowId() != null && !job.step().equals(DemoMonthEnd.SYNC);
    return waitedForSteps && job.startedAt() != null ? job.startedAt() : job.createdAt();
  }

  /** The line of many small jobs counted together. */
  static String countLine(String label, long done, long total, long running, String message) {
    double percent = total == 0 ? 100 : 100.0 * done / total;
    String column = done >= total ? "done" : running > 0 ? "running" : "waiting";
    return line(label, percent, column, "", message);
  }

  /** A line for a job that does not exist yet. */
  static String waitingLine(String label, String message) {
    return line(label, 0, "-", "", message);
  }

  static String line(String label, double percent, String column, String time, String message) {
    return pad(label, LABEL)
        + " "
        + bar(percent)
        + " "
        + String.format("%3.0f%%", Math.floor(percent))
        + " "
        + pad(column, 9)
        + " "
        + pad(time, 9)
        + " "
        + message;
  }

  static String stateName(JobState state) {
    return switch (state) {
      case SCHEDULED, AVAILABLE -> "waiting";
      case SUCCEEDED -> "done";
      default -> state.wireName();
    };
  }

  private static String bar(double percent) {
    int full = (int) Math.floor(Math.max(0, Math.min(100, percent)) / 100 * BAR);
    return "[" + "#".repeat(full) + "-".repeat(BAR - full) + "]";
  }

  private static String pad(String s, int n) {
    return s.length() >= n ? s.substring(0, n) : s + " ".repeat(n - s.length());
  }
}
