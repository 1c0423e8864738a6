package dev.offload.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job.JobId;
import dev.offload.Offload;
import dev.offload.Schedule;
import dev.offload.Schedule.CatchUp;
import dev.offload.Schedule.ScheduleInfo;
import dev.offload.Schedule.ScheduleOptions;
import dev.offload.internal.Json;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code offload schedules}: lists the stored schedules (name, timing, zone, next three ticks, last
 * job and its state, paused or disabled); {@code --json} prints {@code GET /api/schedules}. Its
 * subcommands add, pause, resume, delete and run one.
 */
@Command(
    name = "schedules",
    description =
        "List schedules: timing, zone, next three fire times, last job and its state, paused or disabled.",
    subcommands = {
      SchedulesCommand.Add.class,
      SchedulesCommand.Pause.class,
      SchedulesCommand.Resume.class,
      SchedulesCommand.Delete.class,
      SchedulesCommand.Run.class
    })
final class SchedulesCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Option(names = "--json", description = "Print the document of GET /api/schedules.")
  boolean json;

  @Override
  public Integer call() {
    Context ctx = store.ctx();
    try (Offload offload = store.build(ctx, b -> {})) {
      List<ScheduleInfo> all = offload.schedules().list();
      if (json) {
        ctx.out.println(Json.write(Map.of("schedules", all)));
      } else if (all.isEmpty()) {
        ctx.out.println("no schedules");
      } else {
        all.forEach(s -> ctx.out.println(describe(s)));
      }
    }
    return 0;
  }

  static String describe(ScheduleInfo s) {
    StringBuilder b = new StringBuilder();
    b.append(s.name());
    if (s.disabled()) {
      b.append("  [disabled: no longer declared in code]");
    } else if (s.paused()) {
      b.append("  [paused]");
    }
    b.append('\n');
    line(b, "kind", s.kind() + " in queue " + s.queue() + ", priority " + s.priority());
    line(
        b,
        "when",
        s.cron() != null
            ? s.cron() + " (" + s.zone() + ")"
            : "every " + format(Duration.parse(s.every())));
    line(b, "catch-up", s.catchUp().wireName());
    line(
        b,
        "next",
        s.next().isEmpty()
            ? "-"
            : String.join(", ", s.next().stream().map(Instant::toString).toList()));
    line(
        b,
        "last job",
        s.lastJob() == null ? "-" : s.lastJob() + " (" + s.lastJobState().wireName() + ")");
    return b.toString();
  }

  private static void line(StringBuilder b, String label, String value) {
    b.append("  ").append(String.format("%-10s", label)).append(value).append('\n');
  }

  /** Opens the store, runs {@code action} on one schedule and prints what it returns. */
  abstract static class NamedAction implements Callable<Integer> {
    @Mixin StoreOption store;

    @Parameters(paramLabel = "NAME", description = "The schedule's name.")
    String name;

    abstract String act(Offload offload);

    @Override
    public final Integer call() {
      Context ctx = store.ctx();
      try (Offload offload = store.build(ctx, b -> {})) {
        ctx.out.println(act(offload));
      }
      return 0;
    }
  }

  @Command(name = "pause", description = "Stop a schedule from firing on every node.")
  static final class Pause extends NamedAction {
    @Override
    String act(Offload offload) {
      offload.schedules().pause(name);
      return "schedule " + name + " is paused";
    }
  }

  @Command(
      name = "resume",
      description =
          "Fire a paused schedule again from its next tick (ticks while paused are skipped).")
  static final class Resume extends NamedAction {
    @Override
    String act(Offload offload) {
      ScheduleInfo s = offload.schedules().resume(name);
      return "schedule "
          + name
          + " is resumed; next at "
          + (s.next().isEmpty() ? "-" : s.next().get(0));
    }
  }

  @Command(name = "delete", description = "Delete a schedule (its jobs stay).")
  static final class Delete extends NamedAction {
    @Override
    String act(Offload offload) {
      offload.schedules().delete(name);
      return "schedule " + name + " is deleted";
    }
  }

  @Command(name = "run", description = "Enqueue one job of a schedule now; prints its id.")
  static final class Run extends NamedAction {
    @Override
    String act(Offload offload) {
      JobId id = offload.schedules().run(name);
      return id.toString();
    }
  }

  /** Exactly one of {@code --cron} and {@code --every}. */
  static final class Timing {
    @Option(
        names = "--cron",
        paramLabel = "EXPR",
        required = true,
        description =
            "5 fields (minute hour day-of-month month day-of-week), 6 with leading seconds, or @hourly, @daily, @weekly, @monthly.")
    String cron;

    @Option(
        names = "--every",
        paramLabel = "DUR",
        required = true,
        description = "A fixed interval, e.g. 30s, 5m, 1h (at least 1s).")
    String every;
  }

  @Command(
      name = "add",
      description =
          "Add a schedule; its first tick is the first one after now. Prints the schedule (or with --json its document).")
  static final class Add implements Callable<Integer> {
    @Mixin StoreOption store;

    @Mixin PluginsOption plugins;

    @Parameters(paramLabel = "NAME", description = "The schedule's name.")
    String name;

    @Option(
        names = "--kind",
        paramLabel = "K",
        required = true,
        description = "The kind of the jobs it makes (known to some node).")
    String kind;

    @Option(
        names = "--args",
        paramLabel = "JSON",
        description = "The jobs' args as JSON (default {}).")
    String args;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Timing timing;

    @Option(
        names = "--zone",
        paramLabel = "Z",
        description = "The time zone of --cron, e.g. Europe/Copenhagen (default UTC).")
    String zone;

    @Option(
        names = "--queue",
        paramLabel = "Q",
        description = "The jobs' queue (default the kind's).")
    String queue;

    @Option(
        names = "--priority",
        paramLabel = "N",
        description = "The jobs' priority, 0 (first) to 9 (default the kind's).")
    Integer priority;

    @Option(
        names = "--catch-up",
        paramLabel = "POLICY",
        defaultValue = "latest",
        description =
            "Missed ticks after an outage: none, latest (default: one job) or all (each, up to 100).")
    String catchUp;

    @Option(names = "--json", description = "Print the schedule as GET /api/schedules shows it.")
    boolean json;

    @Override
    public Integer call() {
      Context ctx = store.ctx();
      Schedule when = when();
      ScheduleOptions options;
      JsonNode argsJson = args == null ? null : JsonArgs.parse(args, "--args");
      try {
        options = ScheduleOptions.defaults().catchUp(CatchUp.fromWire(catchUp));
        if (queue != null) {
          options = options.queue(queue);
        }
        if (priority != null) {
          options = options.priority(priority);
        }
      } catch (IllegalArgumentException e) {
        throw CliError.usage(e.getMessage());
      }
      try (Plugins loaded = plugins.load();
          Offload offload = store.build(ctx, loaded::configure)) {
        ScheduleInfo s = offload.schedules().add(name, when, kind, argsJson, options);
        ctx.out.println(json ? Json.write(s) : describe(s).stripTrailing());
      }
      return 0;
    }

    private Schedule when() {
      if (timing.every != null) {
        if (zone != null) {
          throw CliError.usage(
              "--zone applies to --cron; an --every interval counts from the epoch");
        }
        Duration d;
        try {
          d = Durations.parse(timing.every);
          return Schedule.every(d);
        } catch (IllegalArgumentException e) {
          throw CliError.usage("--every: " + e.getMessage());
        }
      }
      ZoneId z;
      try {
        z = zone == null ? ZoneOffset.UTC : ZoneId.of(zone);
      } catch (DateTimeException e) {
        throw CliError.usage(
            "--zone must be a time-zone id such as Europe/Copenhagen or UTC, got '" + zone + "'");
      }
      try {
        return Schedule.cron(timing.cron, z);
      } catch (IllegalArgumentException e) {
        throw CliError.usage("--cron: " + e.getMessage());
      }
    }
  }

  /** {@code 1s}, {@code 5m}, {@code 1h30m}: the way --every takes it. */
  static String format(Duration d) {
    long s = d.toSeconds();
    if (s == 0 || d.toMillisPart() != 0) {
      return d.toMillis() + "ms";
    }
    StringBuilder b = new StringBuilder();
    if (s >= 86_400) {
      b.append(s / 86_400).append('d');
      s %= 86_400;
    }
    if (s >= 3_600) {
      b.append(s / 3_600).append('h');
      s %= 3_600;
    }
    if (s >= 60) {
      b.append(s / 60).append('m');
      s %= 60;
    }
    if (s > 0) {
      b.append(s).append('s');
    }
    return b.toString();
  }
}
