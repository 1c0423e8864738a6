package dev.offload.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job;
import dev.offload.Job.JobError;
import dev.offload.Job.Progress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The human forms of jobs: {@code offload status} (one job) and {@code offload jobs} (a table). */
final class JobText {
  private static final int LABEL_WIDTH = 14;

  private JobText() {}

  /** One job, a field per line; absent values show as {@code -}. */
  static String describe(Job job) {
    StringBuilder b = new StringBuilder();
    line(b, "id", job.id());
    line(b, "kind", job.kind());
    line(b, "queue", job.queue() + " (priority " + job.priority() + ")");
    line(b, "state", job.state().wireName());
    if (job.waiting() != null) {
      line(b, "waiting", job.waiting().replaceFirst("^waiting: ", ""));
    }
    line(b, "attempt", job.attempt() + "/" + job.maxAttempts());
    line(b, "args", json(job.args()));
    line(b, "created", time(job.createdAt()));
    line(b, "run at", time(job.runAt()));
    line(b, "started", time(job.startedAt()));
    line(b, "finished", time(job.finishedAt()));
    line(b, "node", job.node());
    if (job.progress() != null) {
      line(b, "progress", progress(job.progress()));
    }
    if (job.checkpoint() != null) {
      line(b, "checkpoint", json(job.checkpoint()));
    }
    if (job.failedItems() != null) {
      line(b, "failed items", job.failedItems().count());
    }
    if (job.parentId() != null) {
      line(b, "parent", job.parentId());
    }
    if (job.concurrencyKey() != null) {
      line(b, "concurrency", job.concurrencyKey());
    }
    if (job.uniqueKey() != null) {
      line(b, "unique key", job.uniqueKey());
    }
    if (job.schedule() != null) {
      line(b, "schedule", job.schedule() + " (tick " + time(job.runAt()) + ")");
    }
    List<JobError> errors = job.errors();
    if (errors.isEmpty()) {
      line(b, "last error", null);
    } else {
      JobError last = errors.get(errors.size() - 1);
      line(
          b,
          "last error",
          "attempt "
              + last.attempt()
              + " at "
              + time(last.at())
              + " on "
              + last.node()
              + ": "
              + last.errorClass()
              + (last.message() == null ? "" : ": " + oneLine(last.message()))
              + (errors.size() > 1 ? " (" + errors.size() + " errors in all)" : ""));
    }
    line(b, "result", json(job.result()));
    return b.toString();
  }

  /** Jobs as a table with a header: id, kind, queue, state, attempt, created. */
  static String table(List<Job> jobs) {
    return table(jobs, /* lastError= */ false);
  }

  /**
   * Jobs as a table; with {@code lastError} a last column holds the class and message of each job's
   * last error (the message cut at {@value #ERROR_MESSAGE_WIDTH} characters).
   */
  static String table(List<Job> jobs, boolean lastError) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        lastError
            ? new String[] {"ID", "KIND", "QUEUE", "STATE", "ATTEMPT", "CREATED", "LAST ERROR"}
            : new String[] {"ID", "KIND", "QUEUE", "STATE", "ATTEMPT", "CREATED"});
    for (Job j : jobs) {
      String[] row = {
        j.id().toString(),
        j.kind(),
        j.queue(),
        j.state().wireName(),
        j.attempt() + "/" + j.maxAttempts(),
        time(j.createdAt())
      };
      if (lastError) {
        row = java.util.Arrays.copyOf(row, row.length + 1);
        row[row.length - 1] = lastError(j);
      }
      rows.add(row);
    }
    return columns(rows);
  }

  private static final int ERROR_MESSAGE_WIDTH = 80;

  /** {@code java.net.SocketTimeoutException: Read timed out}, or {@code -} without errors. */
  static String lastError(Job job) {
    List<JobError> errors = job.errors();
    if (errors.isEmpty()) {
      return "-";
    }
    JobError e = errors.get(errors.size() - 1);
    if (e.message() == null || e.message().isBlank()) {
      return e.errorClass();
    }
    String message = oneLine(e.message()).strip();
    if (message.length() > ERROR_MESSAGE_WIDTH) {
      message = message.substring(0, ERROR_MESSAGE_WIDTH - 1) + "…";
    }
    return e.errorClass() + ": " + message;
  }

  /** Rows (the first is the header) in columns two spaces apart; the last column is not padded. */
  static String columns(List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == row.length - 1 ? row[i] : pad(row[i], width[i] + 2));
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
    return b.toString();
  }

  /** E.g. {@code 42.5% import 1200/5000, "Imported 1,200 orders", ETA 31s}. */
  static String progress(Progress p) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%.1f%%", p.percent()));
    if (p.stage() != null) {
      b.append(' ').append(p.stage());
    }
    if (p.total() != null) {
      b.append(' ').append(p.done()).append('/').append(p.total());
    } else if (p.done() > 0) {
      b.append(' ').append(p.done()).append(" done");
    }
    if (p.message() != null) {
      b.append(", \"").append(oneLine(p.message())).append('"');
    }
    if (p.eta() != null) {
      b.append(", ETA ").append(Math.round(p.eta())).append('s');
    }
    if (p.failedItems() > 0) {
      b.append(", ").append(p.failedItems()).append(" items failed");
    }
    return b.toString();
  }

  private static void line(StringBuilder b, String label, Object value) {
    b.append(pad(label, LABEL_WIDTH)).append(value == null ? "-" : value).append('\n');
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }

  private static String time(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static String json(JsonNode node) {
    return node == null || node.isNull() ? null : node.toString();
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ");
  }

  /** A page as the API's JSON document, or as a table with the cursor of the next page. */
  static void printPage(dev.offload.Job.JobPage page, boolean json, String whenEmpty, Context ctx) {
    printPage(page, json, whenEmpty, /* lastError= */ false, ctx);
  }

  /**
   * As {@link #printPage(dev.offload.Job.JobPage, boolean, String, Context)}, the table with each
   * job's last error.
   */
  static void printPage(
      dev.offload.Job.JobPage page,
      boolean json,
      String whenEmpty,
      boolean lastError,
      Context ctx) {
    if (json) {
      ctx.out.println(dev.offload.internal.Json.write(page));
    } else if (page.jobs().isEmpty()) {
      ctx.out.println(whenEmpty);
    } else {
      ctx.out.print(table(page.jobs(), lastError));
      if (page.nextCursor() != null) {
        ctx.out.println("more: --cursor " + page.nextCursor());
      }
    }
  }
}
