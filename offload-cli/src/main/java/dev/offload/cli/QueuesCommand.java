package dev.offload.cli;

import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.Offload.QueueStats;
import dev.offload.QueueOptions;
import dev.offload.QueueOptions.Rate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code offload queues}: every queue with its depth per state, running (handlers started) and
 * claimed (held for a free thread), paused flag, the keys at their per-key limit, the due jobs its
 * flow control holds back ({@code HELD}) and its limits; {@code queues set NAME ...} changes the
 * limits for every node; {@code queues pause|resume NAME}.
 */
@Command(
    name = "queues",
    description = {
      "List queues: jobs per state, running and claimed, paused, keys at their per-key limit,",
      "due jobs held back by a limit, rate or pause (HELD), and the limits across all nodes."
    },
    subcommands = {QueuesCommand.Set.class, QueuesCommand.Pause.class, QueuesCommand.Resume.class})
final class QueuesCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Override
  public Integer call() {
    Context ctx = store.ctx();
    try (Offload offload = store.build(ctx, b -> {})) {
      Map<String, QueueOptions> options = offload.queueOptions();
      Map<String, QueueStats> stats = new TreeMap<>();
      offload.queues().forEach(s -> stats.put(s.name(), s));
      options
          .keySet()
          .forEach(q ->
              stats.putIfAbsent(
                  q, new QueueStats(q, false, Map.of(), 0, 0, null, null, QueueStats.Flow.none())));
      if (stats.isEmpty()) {
        ctx.out.println("no queues");
        return 0;
      }
      ctx.out.printf(
          "%-20s %-6s %9s %9s %7s %7s %8s %9s %13s %6s  %s%n",
          "QUEUE",
          "PAUSED",
          "SCHEDULED",
          "AVAILABLE",
          "RUNNING",
          "CLAIMED",
          "RETRYING",
          "SUCCEEDED",
          "KEYS-AT-LIMIT",
          "HELD",
          "LIMITS");
      for (QueueStats s : stats.values()) {
        ctx.out.printf(
            "%-20s %-6s %9d %9d %7d %7d %8d %9d %13d %6d  %s%n",
            s.name(),
            s.paused() ? "yes" : "no",
            s.count(JobState.SCHEDULED),
            s.count(JobState.AVAILABLE),
            s.running(),
            s.claimed(),
            s.count(JobState.RETRYING),
            s.count(JobState.SUCCEEDED),
            s.flow().keysAtLimit(),
            s.flow().waiting(),
            describe(options.getOrDefault(s.name(), QueueOptions.none())));
      }
    }
    return 0;
  }

  /** {@code max-running 4, per-key 1, rate 10/s per key, fair, aging 5m}, or {@code none}. */
  static String describe(QueueOptions o) {
    List<String> parts = new ArrayList<>();
    if (o.maxRunning() != null) {
      parts.add("max-running " + o.maxRunning());
    }
    if (o.perKey() != null) {
      parts.add("per-key " + o.perKey());
    }
    if (o.rate() != null) {
      parts.add("rate " + o.rate() + (o.ratePerKey() ? " per key" : ""));
    }
    if (o.fair()) {
      parts.add("fair");
    }
    if (o.aging() != null) {
      parts.add("aging " + Durations.format(o.aging()));
    }
    if (o.push() != null) {
      parts.add(
          "push " + o.push().url() + " (timeout " + Durations.format(o.push().timeout()) + ")");
    }
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  /** {@code offload queues set NAME [--max-running N|none] ...}: changes only the options given. */
  @Command(
      name = "set",
      description = {
        "Change a queue's limits for every node (within a second); options not given keep their value,",
        "'none' removes a limit."
      })
  static final class Set implements Callable<Integer> {
    @Mixin StoreOption store;

    @Parameters(index = "0", paramLabel = "NAME", description = "The queue.")
    String name;

    @Option(
        names = "--max-running",
        paramLabel = "N|none",
        description = "At most N jobs of the queue run at once across all nodes.")
    String maxRunning;

    @Option(
        names = "--per-key",
        paramLabel = "N|none",
        description = "At most N jobs with the same concurrency key run at once.")
    String perKey;

    @Option(
        names = "--rate",
        paramLabel = "N/PERIOD|none",
        description = "At most N starts per period, evenly spread: 10/s, 600/min, 5000/h.")
    String rate;

    @Option(
        names = "--rate-per-key",
        negatable = true,
        description = "Apply the rate to each concurrency key on its own.")
    Boolean ratePerKey;

    @Option(
        names = "--fair",
        negatable = true,
        description = "Interleave concurrency keys when claiming.")
    Boolean fair;

    @Option(
        names = "--aging",
        paramLabel = "DUR|none",
        description = "After each DUR of waiting, a job counts one priority level more urgent.")
    String aging;

    @Option(
        names = "--push-url",
        paramLabel = "URL|none",
        description =
            "Deliver the queue's jobs to this endpoint (a push queue; https, or http on loopback); 'none' unbinds.")
    String pushUrl;

    @Option(
        names = "--push-timeout",
        paramLabel = "DUR",
        description = "How long one push may take (default 60s).")
    String pushTimeout;

    @Option(
        names = "--push-secret-env",
        paramLabel = "VAR",
        description = "The environment variable holding the signing secret on each node.")
    String pushSecretEnv;

    @Option(
        names = "--allow-http",
        description = "Accept plain http for a push URL that is not loopback.")
    boolean allowHttp;

    @Override
    public Integer call() {
      Context ctx = store.ctx();
      try (Offload offload = store.build(ctx, b -> {})) {
        QueueOptions current;
        try {
          current = offload.queueOptions(name);
        } catch (IllegalArgumentException e) {
          throw CliError.usage(e.getMessage(), e);
        }
        QueueOptions next = apply(current);
        offload.updateQueue(name, next);
        ctx.out.println("queue " + name + ": " + describe(next));
      }
      return 0;
    }

    private QueueOptions apply(QueueOptions o) {
      try {
        if (maxRunning != null) {
          o = o.maxRunning(count("--max-running", maxRunning));
        }
        if (perKey != null) {
          o = o.perKey(count("--per-key", perKey));
        }
        if (rate != null) {
          o = o.rate(none(rate) ? null : Rate.parse(rate));
        }
        if (ratePerKey != null) {
          o = o.ratePerKey(ratePerKey);
        }
        if (fair != null) {
          o = o.fair(fair);
        }
        if (aging != null) {
          o = o.aging(none(aging) ? null : Durations.parse(aging));
        }
        if (pushUrl != null && none(pushUrl)) {
          o = o.push(null);
        } else if (pushUrl != null || o.push() != null) {
          QueueOptions.Push p = o.push();
          java.net.URI url;
          if (pushUrl != null) {
            try {
              url = new java.net.URI(pushUrl.trim());
            } catch (java.net.URISyntaxException e) {
              throw new IllegalArgumentException("pushUrl is not a URL: '" + pushUrl + "'");
            }
          } else {
            url = p.url();
          }
          o =
              o.push(
                  new QueueOptions.Push(
                      url,
                      pushTimeout != null
                          ? Durations.parse(pushTimeout)
                          : p == null ? null : p.timeout(),
                      pushSecretEnv != null ? pushSecretEnv : p == null ? null : p.secretEnv(),
                      allowHttp || (p != null && p.allowHttp())));
        } else if (pushTimeout != null || pushSecretEnv != null || allowHttp) {
          throw new IllegalArgumentException(
              "--push-timeout, --push-secret-env and --allow-http need a push URL (--push-url)");
        }
        return o;
      } catch (IllegalArgumentException e) {
        throw CliError.usage(e.getMessage(), e);
      }
    }

    private static boolean none(String value) {
      return value.trim().equalsIgnoreCase("none");
    }

    private static Integer count(String option, String value) {
      if (none(value)) {
        return null;
      }
      try {
        return Integer.valueOf(value.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            option + " must be a whole number or none, got '" + value + "'");
      }
    }
  }

  /**
   * {@code offload queues pause|resume NAME}: opens the store, does {@code action} to the queue and
   * says so.
   */
  abstract static class Switch implements Callable<Integer> {
    @Mixin StoreOption store;

    @Parameters(index = "0", paramLabel = "NAME", description = "The queue.")
    String name;

    private final BiConsumer<Offload, String> action;
    private final String done;

    Switch(BiConsumer<Offload, String> action, String done) {
      this.action = action;
      this.done = done;
    }

    @Override
    public final Integer call() {
      Context ctx = store.ctx();
      try (Offload offload = store.build(ctx, b -> {})) {
        try {
          action.accept(offload, name);
        } catch (IllegalArgumentException e) {
          throw CliError.usage(e.getMessage(), e);
        }
        ctx.out.println("queue " + name + " " + done);
      }
      return 0;
    }
  }

  @Command(name = "pause", description = "Stop every node from claiming the queue's jobs.")
  static final class Pause extends Switch {
    Pause() {
      super(Offload::pauseQueue, "paused");
    }
  }

  @Command(name = "resume", description = "Let every node claim the queue's jobs again.")
  static final class Resume extends Switch {
    Resume() {
      super(Offload::resumeQueue, "resumed");
    }
  }
}
