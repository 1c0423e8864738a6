package dev.offload.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.Offload.Outcome;
import dev.offload.OffloadException;
import dev.offload.internal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code offload enqueue KIND}: enqueues one job (and with {@code --wait} waits for its end), or
 * with {@code --args-file} one per line, streamed in batches in one transaction (all or none). The
 * options are checked before the store is touched. A client node: it knows the built-in and plugin
 * kinds but runs nothing.
 */
@Command(
    name = "enqueue",
    description =
        "Enqueue a job (or, with --args-file, one per line, all or none); print its id, or with --wait its result.")
final class EnqueueCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Mixin PluginsOption plugins;

  @Parameters(index = "0", paramLabel = "KIND", description = "The job kind, e.g. demo.sleep.")
  String kind;

  @Option(
      names = "--args",
      paramLabel = "JSON",
      description = "The job's args as JSON (default {}).")
  String args;

  @Option(
      names = "--args-file",
      paramLabel = "FILE",
      description =
          "One JSON args value per line (blank lines skipped), '-' for stdin: one job each, enqueued in one batch.")
  String argsFile;

  @Option(names = "--queue", paramLabel = "QUEUE", description = "The queue (default: the kind's).")
  String queue;

  @Option(
      names = "--priority",
      paramLabel = "N",
      description = "0 (runs first) to 9 (default: the kind's).")
  Integer priority;

  @Option(
      names = "--delay",
      paramLabel = "DUR",
      converter = Converters.DurationConverter.class,
      description = "Run no sooner than this from now: 500ms, 30s, 5m, 2h, 1d or PT30S.")
  Duration delay;

  @Option(
      names = "--at",
      paramLabel = "TIME",
      description =
          "Run no sooner than this: 2026-12-01T09:00:00Z, or a local date-time like 2026-12-01T09:00.")
  String at;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      description = "How many times it may run (default: the kind's).")
  Integer maxAttempts;

  @Option(
      names = "--concurrency-key",
      paramLabel = "K",
      description =
          "Group the job for its queue's per-key limit and rate, e.g. tenant:42 (1-255 characters).")
  String concurrencyKey;

  @Option(
      names = "--unique-key",
      paramLabel = "K",
      description =
          "While a job with this key is pending or running, print that job's id instead of enqueueing another.")
  String uniqueKey;

  @Option(
      names = "--unique-for",
      paramLabel = "DUR",
      converter = Converters.DurationConverter.class,
      description = "With --unique-key: a job with the key that finished within DUR also counts.")
  Duration uniqueFor;

  @Option(
      names = "--on-duplicate",
      paramLabel = "replace",
      description =
          "With --unique-key: 'replace' gives a duplicate that has not started this job's args and run time (debounce).")
  String onDuplicate;

  @Option(
      names = "--allow-unknown-kind",
      description = "Enqueue even when no worker has announced the kind yet.")
  boolean allowUnknownKind;

  @Option(
      names = "--json",
      description =
          "Print the created job as JSON, as status --json does ({\"jobs\": [...]} for --args-file).")
  boolean json;

  @Option(
      names = "--wait",
      paramLabel = "DUR",
      converter = Converters.DurationConverter.class,
      description = {
        "Wait up to DUR for the job to end: print its result and exit 0, or its error and exit 1;",
        "when it is still running then, print its id and how to follow it, and exit 3."
      })
  Duration waitFor;

  /**
   * Jobs per insert statement when streaming an {@code --args-file}; all of them share one
   * transaction.
   */
  static final int BATCH = 1_000;

  private static final Pattern BATCH_ERROR =
      Pattern.compile("job (\\d+) of \\d+: (.*)", Pattern.DOTALL);

  @Override
  public Integer call() {
    Context ctx = store.ctx();
    if (args != null && argsFile != null) {
      throw CliError.usage("give --args or --args-file, not both");
    }
    if (delay != null && at != null) {
      throw CliError.usage("give --delay or --at, not both");
    }
    if (waitFor != null && argsFile != null) {
      throw CliError.usage("give --wait with one job, not with --args-file");
    }
    if (waitFor != null && waitFor.isNegative()) {
      throw CliError.usage("--wait must not be negative, got " + waitFor);
    }
    EnqueueOptions options = options(ctx);
    if (argsFile != null) {
      return enqueueFile(ctx, options);
    }
    JsonNode jobArgs = args != null ? JsonArgs.parse(args, "--args") : Json.object();
    JobRequest request = request(jobArgs, options);
    try (Plugins loaded = plugins.load();
        Offload offload = store.build(ctx, loaded::configure)) {
      JobId id = enqueue(offload, List.of(request)).get(0);
      if (waitFor != null) {
        return await(offload, id, ctx);
      }
      ctx.out.println(json ? Json.write(job(offload, id)) : id.toString());
    }
    return 0;
  }

  /**
   * Waits for the job: its result (exit 0), its error (exit 1), or, when it is still going, its id
   * and how to follow it (exit 3).
   */
  private int await(Offload offload, JobId id, Context ctx) {
    Outcome<JsonNode> outcome;
    try {
      outcome = offload.await(id, waitFor);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliError.failure("interrupted while waiting for job " + id, e);
    }
    Job job = outcome.job();
    if (json) {
      ctx.out.println(Json.write(job));
    }
    if (!outcome.finished()) {
      if (!json) {
        ctx.out.println(id);
      }
      ctx.err.println(
          "offload: job "
              + id
              + " is still "
              + job.state().wireName()
              + " after "
              + (waitFor.toMillis() < 1_000
                  ? waitFor.toMillis() + "ms"
                  : ProgressBars.duration(waitFor))
              + "; follow it with 'offload status "
              + id
              + " --follow'");
      return CliError.STILL_RUNNING;
    }
    if (job.state() == JobState.SUCCEEDED) {
      if (!json) {
        ctx.out.println(job.result() == null ? "null" : job.result().toString());
      }
      return 0;
    }
    String error = job.errors().isEmpty() ? "" : ": " + JobText.lastError(job);
    ctx.err.println("offload: job " + id + " is " + job.state().wireName() + error);
    return CliError.FAILURE;
  }

  /**
   * Streams the file: parses a line at a time and enqueues {@value #BATCH} jobs per statement, all
   * in one transaction on one connection, so memory stays bounded whatever the file's size and a
   * bad line anywhere enqueues nothing. The ids are printed once the transaction committed.
   */
  private int enqueueFile(Context ctx, EnqueueOptions options) {
    String source = "--args-file " + (argsFile.equals("-") ? "(stdin)" : argsFile);
    long[] ids = new long[BATCH];
    int count = 0;
    try (BufferedReader reader = openArgsFile(ctx);
        Plugins loaded = plugins.load();
        Offload offload = store.build(ctx, loaded::configure);
        Connection tx = store.connectionOpen()) {
      tx.setAutoCommit(false);
      try {
        List<JobRequest> batch = new ArrayList<>(BATCH);
        int[] lines = new int[BATCH];
        int lineNumber = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          lineNumber++;
          if (line.isBlank()) {
            continue;
          }
          lines[batch.size()] = lineNumber;
          batch.add(
              request(
                  JsonArgs.parseLine(line, source, lineNumber),
                  options,
                  source + " line " + lineNumber + ": "));
          if (batch.size() == BATCH) {
            ids = append(ids, count, enqueue(offload, tx, batch, lines, source));
            count += batch.size();
            batch.clear();
          }
        }
        if (!batch.isEmpty()) {
          ids = append(ids, count, enqueue(offload, tx, batch, lines, source));
          count += batch.size();
        }
        if (count == 0) {
          throw CliError.usage(source + " holds no JSON args (expected one JSON value per line)");
        }
        tx.commit();
      } catch (RuntimeException | Error | IOException e) {
        rollbackQuietly(tx, e);
        throw e;
      }
      print(offload, ids, count, ctx);
    } catch (IOException e) {
      throw CliError.usage(source + ": cannot read " + argsFile + ": " + e.getMessage(), e);
    } catch (SQLException e) {
      throw new OffloadException(
          "enqueueing " + source + " in " + ctx.store() + " failed: " + e.getMessage(), e);
    }
    return 0;
  }

  private void print(Offload offload, long[] ids, int count, Context ctx) {
    if (!json) {
      for (int i = 0; i < count; i++) {
        ctx.out.println(ids[i]);
      }
      return;
    }
    // {"jobs": [...]} written a job at a time, as Json.write would write it whole.
    ctx.out.print("{\"jobs\":[");
    for (int i = 0; i < count; i++) {
      ctx.out.print((i == 0 ? "" : ",") + Json.write(job(offload, new JobId(ids[i]))));
    }
    ctx.out.println("]}");
  }

  private static Job job(Offload offload, JobId id) {
    return offload
        .job(id)
        .orElseThrow(() -> CliError.failure("job " + id + " vanished after enqueue", null));
  }

  private static long[] append(long[] ids, int count, List<JobId> more) {
    long[] out =
        count + more.size() <= ids.length
            ? ids
            : Arrays.copyOf(ids, Math.max(ids.length * 2, count + more.size()));
    for (int i = 0; i < more.size(); i++) {
      out[count + i] = more.get(i).value();
    }
    return out;
  }

  private static void rollbackQuietly(Connection tx, Throwable cause) {
    try {
      tx.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /**
   * One batch in the file's transaction; an error names the file's line rather than the batch's
   * job.
   */
  private static List<JobId> enqueue(
      Offload offload, Connection tx, List<JobRequest> batch, int[] lines, String source) {
    try {
      return offload.enqueueAll(tx, batch);
    } catch (IllegalArgumentException e) {
      if (Errors.unknownKind(e)) {
        throw e;
      }
      Matcher m = BATCH_ERROR.matcher(String.valueOf(e.getMessage()));
      if (m.matches()) {
        int index = Integer.parseInt(m.group(1)) - 1;
        if (index >= 0 && index < batch.size()) {
          throw CliError.usage(source + " line " + lines[index] + ": " + m.group(2), e);
        }
      }
      throw CliError.usage(source + ": " + e.getMessage(), e);
    }
  }

  private static List<JobId> enqueue(Offload offload, List<JobRequest> requests) {
    try {
      return offload.enqueueAll(requests);
    } catch (IllegalArgumentException e) {
      if (Errors.unknownKind(e)) {
        throw e;
      }
      throw CliError.usage(e.getMessage(), e); // args too large, and the like
    }
  }

  private EnqueueOptions options(Context ctx) {
    try {
      EnqueueOptions o = EnqueueOptions.none();
      if (queue != null) {
        o = o.queue(queue);
      }
      if (priority != null) {
        o = o.priority(priority);
      }
      if (maxAttempts != null) {
        o = o.maxAttempts(maxAttempts);
      }
      if (delay != null) {
        o = o.delay(delay);
      }
      if (at != null) {
        o = o.runAt(parseAt(ctx));
      }
      if (concurrencyKey != null) {
        o = o.concurrencyKey(concurrencyKey);
      }
      if (uniqueKey != null) {
        o = o.uniqueKey(uniqueKey);
      }
      if (uniqueFor != null) {
        o = o.uniqueFor(uniqueFor);
      }
      if (onDuplicate != null) {
        if (!onDuplicate.equals("replace") && !onDuplicate.equals("return")) {
          throw CliError.usage(
              "--on-duplicate must be replace (or return, the default), got '" + onDuplicate + "'");
        }
        if (onDuplicate.equals("replace")) {
          o = o.onDuplicateReplace();
        }
      }
      return allowUnknownKind ? o.allowUnknownKind() : o;
    } catch (IllegalArgumentException e) {
      throw CliError.usage(e.getMessage(), e);
    }
  }

  private java.time.Instant parseAt(Context ctx) {
    try {
      return Instants.parse(at, ctx.zone);
    } catch (IllegalArgumentException e) {
      throw CliError.usage("Invalid value for option '--at': " + e.getMessage());
    }
  }

  private JobRequest request(JsonNode jobArgs, EnqueueOptions options) {
    return request(jobArgs, options, "");
  }

  private JobRequest request(JsonNode jobArgs, EnqueueOptions options, String where) {
    try {
      return JobRequest.of(kind, jobArgs, options);
    } catch (IllegalArgumentException e) {
      throw CliError.usage(where + e.getMessage(), e);
    }
  }

  private BufferedReader openArgsFile(Context ctx) {
    if (argsFile.equals("-")) {
      return new BufferedReader(new InputStreamReader(ctx.in, StandardCharsets.UTF_8));
    }
    try {
      return Files.newBufferedReader(Path.of(argsFile), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw CliError.usage("--args-file: no such file " + argsFile);
    } catch (IOException e) {
      throw CliError.usage("--args-file: cannot read " + argsFile + ": " + e, e);
    }
  }
}
