package dev.offload.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job;
import dev.offload.Job.FailedItems;
import dev.offload.Job.JobState;
import dev.offload.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * The lines {@code offload demo} ends with: the month-end workflow, the jobs that ran, the retries
 * (attempts beyond the first, page retries in the handler, snoozes), the stages, the failed items
 * and the exact command that replays them, the reconciliation, the report's path, the upstream's
 * misbehaviour and the dashboard.
 *
 * @param workflow the month-end workflow followed, as stored now, or null
 * @param jobs the long jobs followed, as stored now
 * @param stages how long each stage of each job took, by job id
 * @param emails the run's emails, 0 when it followed none
 * @param emailsPending emails not sent yet
 * @param upstream the simulated upstream's counts
 * @param storeArg the {@code --store} value that reaches the demo's store
 * @param dashboard the server's URL
 * @param keepServing whether the server stays up
 */
record DemoSummary(
    Workflow workflow,
    List<Job> jobs,
    Map<Long, Map<String, Duration>> stages,
    int emails,
    long emailsPending,
    DemoUpstream.Counts upstream,
    String storeArg,
    String dashboard,
    boolean keepServing) {

  private static final int SHOWN_ITEMS = 3;

  /** Whether every long job succeeded and every email went out. */
  boolean succeeded() {
    return emailsPending == 0 && jobs.stream().allMatch(j -> j.state() == JobState.SUCCEEDED);
  }

  List<String> lines(Instant started, Instant now) {
    List<String> out = new ArrayList<>();
    out.add("");
    out.add("Summary after " + DemoRun.seconds(Duration.between(started, now)) + ":");
    if (workflow != null) {
      row(
          out,
          "workflow",
          String.format(
              "%s #%d %s: %s",
              workflow.name(), workflow.id(), workflow.state().wireName(), shape(workflow)));
      row(
          out,
          "",
          "bin/offload workflow "
              + workflow.id()
              + " --store "
              + shellQuote(storeArg)
              + "   (or "
              + dashboard
              + "/#/workflows/"
              + workflow.id()
              + ")");
    }
    row(out, "jobs", jobsLine());
    row(out, "retries", retriesLine());
    for (Job j : jobs) {
      Map<String, Duration> s = stages.getOrDefault(j.id().value(), Map.of());
      if (j.kind().equals(DemoKinds.SYNC) && !s.isEmpty()) {
        StringJoiner joiner = new StringJoiner(", ");
        s.forEach((name, took) -> joiner.add(name + " " + DemoRun.seconds(took)));
        row(out, "stages", DemoTracked.label(j) + ": " + joiner);
      }
    }
    for (Job j : jobs) {
      FailedItems f = j.failedItems();
      if (f == null || f.count() == 0) {
        continue;
      }
      String what =
          j.kind().equals(DemoKinds.SYNC)
              ? "broken orders"
              : j.kind().equals(DemoKinds.RECONCILE) ? "months that differ" : "items";
      StringJoiner shown = new StringJoiner(", ");
      f.items().stream()
          .limit(SHOWN_ITEMS)
          .forEach(i -> shown.add(i.key() + " (" + i.error() + ")"));
      long more = f.count() - Math.min(SHOWN_ITEMS, f.items().size());
      row(
          out,
          "failed",
          String.format(
              "%,d %s, kept as failed items of %s:", f.count(), what, DemoTracked.label(j)));
      row(out, "", shown + (more > 0 ? String.format(" and %,d more", more) : ""));
      row(
          out,
          "replay",
          "bin/offload retry " + j.id() + " --failed-items --store " + shellQuote(storeArg));
      if (keepServing) {
        row(
            out,
            "",
            "or: curl -X POST "
                + dashboard
                + "/api/jobs/"
                + j.id()
                + "/retry-items   (this demo runs it at once)");
      } else {
        row(
            out,
            "",
            "(enqueues a follow-up job for just those; the next bin/offload demo runs it)");
      }
    }
    resultRows(
        out,
        jobs,
        DemoKinds.RECONCILE,
        "reconcile",
        r ->
            String.format(
                "%d of %d months match the upstream",
                r.path("matched").asInt(), r.path("months").asInt()));
    resultRows(
        out,
        jobs,
        DemoKinds.REPORT,
        "report",
        r ->
            String.format(
                "%s (%d months, %,d orders, %s)",
                r.path("path").asText(),
                r.path("months").asInt(),
                r.path("orders").asLong(),
                DemoReports.money(r.path("totalCents").asLong())));
    resultRows(
        out,
        jobs,
        DemoKinds.NOTIFY,
        "notify",
        r -> "emailed " + r.path("to").asText() + ": " + r.path("subject").asText());
    row(
        out,
        "upstream",
        String.format(
            "%,d requests: %,d answered 429, %,d answered 500, %,d slow",
            upstream.requests(), upstream.rateLimited(), upstream.failed(), upstream.slow()));
    row(
        out,
        "dashboard",
        dashboard
            + "/"
            + (keepServing
                ? " (still serving: Ctrl-C stops it)"
                : " (stops now; --keep-serving keeps it up)"));
    for (Job j : jobs) {
      if (j.state() != JobState.SUCCEEDED) {
        row(
            out,
            "look",
            "bin/offload status "
                + j.id()
                + " --store "
                + shellQuote(storeArg)
                + "   ("
                + DemoTracked.label(j)
                + " is "
                + j.state().wireName()
                + ")");
      }
    }
    return out;
  }

  /**
   * The steps in dependency order, for example {@code sync, then report and reconcile, then notify
   * (runs either way)}: steps of equal depth together.
   */
  static String shape(Workflow w) {
    Map<String, Integer> depth = new java.util.HashMap<>();
    int deepest = 0;
    for (Workflow.Step st : w.steps()) {
      // Steps are stored in the order given, and a step may only wait for steps given before it in
      // the demo's workflow, so one pass finds each depth.
      int d = 0;
      for (String a : st.after()) {
        d = Math.max(d, depth.getOrDefault(a, 0) + 1);
      }
      depth.put(st.name(), d);
      deepest = Math.max(deepest, d);
    }
    StringJoiner levels = new StringJoiner(", then ");
    for (int d = 0; d <= deepest; d++) {
      List<String> names = new ArrayList<>();
      for (Workflow.Step st : w.steps()) {
        if (depth.get(st.name()) == d) {
          names.add(
              st.name()
                  + (st.onFailure() == dev.offload.Workflow.OnFailure.CONTINUE
                      ? " (runs either way)"
                      : ""));
        }
      }
      levels.add(
          names.size() == 1
              ? names.get(0)
              : String.join(", ", names.subList(0, names.size() - 1))
                  + " and "
                  + names.get(names.size() - 1));
    }
    return levels.toString();
  }

  private String jobsLine() {
    StringJoiner names = new StringJoiner(", ");
    jobs.forEach(j -> names.add(DemoTracked.label(j)));
    if (emails > 0) {
      names.add(String.format("%,d emails", emails));
    }
    long count = jobs.size() + (long) emails;
    long ok =
        jobs.stream().filter(j -> j.state() == JobState.SUCCEEDED).count()
            + (emails - emailsPending);
    String outcome =
        ok == count
            ? count == 1 ? "succeeded" : "all succeeded"
            : String.format("%,d succeeded", ok);
    return String.format("%,d (%s): %s", count, names, outcome);
  }

  private String retriesLine() {
    long attempts = 0;
    long pageRetries = 0;
    long snoozes = 0;
    for (Job j : jobs) {
      attempts += Math.max(0, j.attempt() - 1);
      JsonNode cp = j.checkpoint();
      if (cp != null) {
        pageRetries += cp.path("pageRetries").asLong();
        snoozes += cp.path("snoozes").asLong();
      }
    }
    return String.format(
        "%,d = %,d job attempt%s beyond the first + %,d page retr%s after HTTP 500"
            + " + %,d snooze%s on HTTP 429",
        attempts + pageRetries + snoozes,
        attempts,
        attempts == 1 ? "" : "s",
        pageRetries,
        pageRetries == 1 ? "y" : "ies",
        snoozes,
        snoozes == 1 ? "" : "s");
  }

  /**
   * A row {@code name} for each job of {@code kind} with a result: what {@code text} makes of it.
   */
  private static void resultRows(
      List<String> out, List<Job> jobs, String kind, String name, Function<JsonNode, String> text) {
    for (Job j : jobs) {
      JsonNode r = j.result();
      if (j.kind().equals(kind) && r != null) {
        row(out, name, text.apply(r));
      }
    }
  }

  private static void row(List<String> out, String name, String text) {
    out.add(String.format("  %-10s %s", name, text));
  }

  /** {@code text} as one shell word: quoted when it holds anything a shell would act on. */
  static String shellQuote(String text) {
    return text.matches("[A-Za-z0-9_@%+=:,./-]+") ? text : "'" + text.replace("'", "'\\''") + "'";
  }
}
