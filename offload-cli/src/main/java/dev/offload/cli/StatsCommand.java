package dev.offload.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Offload;
import dev.offload.internal.Json;
import dev.offload.server.internal.KindsDocument;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code offload stats}: the table of {@code GET /api/kinds} in the terminal: per kind the runs of
 * the last 24 hours, p50, p95 and max run time, and whether it fits a request budget (inline) or
 * belongs in the background. Reads only.
 */
@Command(
    name = "stats",
    description = {
      "Per kind: successful runs of the last 24 hours, p50/p95/max run time, and whether it can run",
      "inline within a request budget or belongs in the background (see docs/inline-or-background.md)."
    })
final class StatsCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Mixin PluginsOption plugins;

  @Option(
      names = "--budget",
      paramLabel = "DUR",
      defaultValue = "10s",
      converter = Converters.DurationConverter.class,
      description =
          "The request budget the advice compares p95 against (default ${DEFAULT-VALUE}).")
  Duration budget;

  @Option(names = "--json", description = "Print the JSON document of GET /api/kinds?budget=DUR.")
  boolean json;

  @Override
  public Integer call() {
    Context ctx = store.ctx();
    if (budget.isZero() || budget.isNegative()) {
      throw CliError.usage("--budget must be more than 0, got " + budget);
    }
    try (Plugins loaded = plugins.load();
        Offload offload = store.openExisting(ctx, loaded::configure)) {
      Map<String, Object> doc = KindsDocument.of(offload, budget);
      if (json) {
        ctx.out.println(Json.write(doc));
      } else {
        ctx.out.print(table(Json.toTree(doc), budget));
      }
    }
    return 0;
  }

  static String table(JsonNode doc, Duration budget) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "KIND", "RUNS", "P50", "P95", "MAX", "ADVICE (BUDGET " + millis(budget.toMillis()) + ")"
        });
    for (JsonNode k : doc.get("kinds")) {
      boolean ran = k.path("runs").asLong() > 0;
      rows.add(
          new String[] {
            k.get("kind").asText(),
            Long.toString(k.path("runs").asLong()),
            ran ? millis(k.get("p50Ms").asDouble()) : "-",
            ran ? millis(k.get("p95Ms").asDouble()) : "-",
            ran ? millis(k.get("maxMs").asDouble()) : "-",
            ran ? k.get("advice").asText() : "- (no runs yet)"
          });
    }
    StringBuilder b = new StringBuilder(JobText.columns(rows));
    if (rows.size() == 1) {
      b.setLength(0);
      b.append("no kinds registered here or run in the last 24 hours\n");
    }
    b.append(
            "inline: p95 fits the budget, so runOrDefer or enqueue --wait usually answers with the result;\n")
        .append("background: enqueue it and show progress. See docs/inline-or-background.md.\n");
    return b.toString();
  }

  /** 850 ms, 4.2 s, 3m05s. */
  static String millis(double ms) {
    if (ms < 1_000) {
      return Math.round(ms) + " ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1_000);
    }
    return ProgressBars.duration(Duration.ofMillis((long) ms));
  }
}
