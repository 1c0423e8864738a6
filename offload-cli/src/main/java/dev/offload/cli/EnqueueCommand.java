package dev.offload.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.EnqueueOptions;
import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobRequest;
import dev.offload.Offload;
import dev.offload.UnknownKindException;
import dev.offload.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code offload enqueue KIND}: enqueues one job, or with {@code --args-file} one per line in one
 * batch (all or none). Everything typed is checked before the store is touched. A client node: it
 * knows the built-in and plugin kinds but runs nothing.
 */
@Command(
    name = "enqueue",
    mixinStandardHelpOptions = true,
    description = "Enqueue a job (or, with --args-file, one per line, all or none); print its id.")
final class EnqueueCommand implements Callable<Integer> {
  @ParentCommand
  OffloadCommand parent;

  @Mixin
  StoreOption store;

  @Mixin
  PluginsOption plugins;

  @Parameters(index = "0", paramLabel = "KIND", description = "The job kind, e.g. demo.sleep.")
  String kind;

  @Option(names = "--args", paramLabel = "JSON", description = "The job's args as JSON (default {}).")
  String args;

  @Option(
      names = "--args-file",
      paramLabel = "FILE",
      description = "One JSON args value per line (blank lines skipped), '-' for stdin: one job each, enqueued in one batch.")
  String argsFile;

  @Option(names = "--queue", paramLabel = "QUEUE", description = "The queue (default: the kind's).")
  String queue;

  @Option(names = "--priority", paramLabel = "N", description = "0 (runs first) to 9 (default: the kind's).")
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
      description = "Run no sooner than this: 2026-12-01T09:00:00Z, or a local date-time like 2026-12-01T09:00.")
  String at;

  @Option(names = "--max-attempts", paramLabel = "N", description = "How many times it may run (default: the kind's).")
  Integer maxAttempts;

  @Option(names = "--concurrency-key", paramLabel = "K",
      description = "Group the job for its queue's per-key limit and rate, e.g. tenant:42 (1-255 characters).")
  String concurrencyKey;

  @Option(names = "--unique-key", paramLabel = "K",
      description = "While a job with this key is pending or running, print that job's id instead of enqueueing another.")
  String uniqueKey;

  @Option(
      names = "--unique-for",
      paramLabel = "DUR",
      converter = Converters.DurationConverter.class,
      description = "With --unique-key: a job with the key that finished within DUR also counts.")
  Duration uniqueFor;

  @Option(names = "--on-duplicate", paramLabel = "replace",
      description = "With --unique-key: 'replace' gives a duplicate that has not started this job's args and run time (debounce).")
  String onDuplicate;

  @Option(names = "--allow-unknown-kind", description = "Enqueue even when no worker has announced the kind yet.")
  boolean allowUnknownKind;

  @Option(names = "--json", description = "Print the created job as JSON, as status --json does ({\"jobs\": [...]} for --args-file).")
  boolean json;

  @Override
  public Integer call() {
    Context ctx = parent.ctx;
    if (args != null && argsFile != null) {
      throw CliError.usage("give --args or --args-file, not both");
    }
    if (delay != null && at != null) {
      throw CliError.usage("give --delay or --at, not both");
    }
    List<JsonNode> argsList = argsFile != null
        ? JsonArgs.parseLines(readArgsFile(ctx), "--args-file " + (argsFile.equals("-") ? "(stdin)" : argsFile))
        : List.of(args != null ? JsonArgs.parse(args, "--args") : Json.object());
    List<JobRequest> requests = requests(argsList, options(ctx));

    List<Job> created = new ArrayList<>();
    try (Plugins loaded = plugins.load(); Offload offload = store.build(ctx, loaded::configure)) {
      List<JobId> ids = enqueue(offload, requests);
      for (JobId id : ids) {
        if (json) {
          created.add(offload.job(id).orElseThrow(() -> CliError.failure("job " + id + " vanished after enqueue", null)));
        } else {
          ctx.out.println(id);
        }
      }
    }
    if (json && argsFile != null) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("jobs", created);
      ctx.out.println(Json.write(doc));
    } else if (json) {
      ctx.out.println(Json.write(created.get(0)));
    }
    return 0;
  }

  private static List<JobId> enqueue(Offload offload, List<JobRequest> requests) {
    try {
      return offload.enqueueAll(requests);
    } catch (UnknownKindException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      if (e.getCause() instanceof UnknownKindException) {
        throw e; // a batch names the job: "job 1 of 3: unknown job kind ..."
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
          throw CliError.usage("--on-duplicate must be replace (or return, the default), got '" + onDuplicate + "'");
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

  private List<JobRequest> requests(List<JsonNode> argsList, EnqueueOptions options) {
    List<JobRequest> requests = new ArrayList<>(argsList.size());
    try {
      for (JsonNode a : argsList) {
        requests.add(JobRequest.of(kind, a, options));
      }
    } catch (IllegalArgumentException e) {
      throw CliError.usage(e.getMessage(), e);
    }
    return requests;
  }

  private List<String> readArgsFile(Context ctx) {
    try {
      if (argsFile.equals("-")) {
        return new String(ctx.in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      }
      return Files.readAllLines(Path.of(argsFile), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw CliError.usage("--args-file: no such file " + argsFile);
    } catch (IOException e) {
      throw CliError.usage("--args-file: cannot read " + argsFile + ": " + e, e);
    }
  }
}
