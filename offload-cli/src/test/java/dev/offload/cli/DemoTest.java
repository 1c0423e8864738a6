package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job;
import dev.offload.Job.FailedItems;
import dev.offload.Job.JobFilter;
import dev.offload.Job.JobQuery;
import dev.offload.Offload;
import dev.offload.demo.Demo;
import dev.offload.demo.MonthTotal;
import dev.offload.internal.Json;
import dev.offload.sqlite.SqliteStore;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code offload demo} end to end, in this JVM, on a SQLite store in a temporary directory with the
 * dashboard on a free port: the report must add up to what the simulated upstream says, and the
 * failed items must be exactly its broken orders, also across a stop and a resume.
 */
class DemoTest {
  /** The demo's order sync, as the dashboard and the API name its kind. */
  private static final String SYNC = "demo.orders.sync";

  private static final Pattern REPORT = Pattern.compile("report +(/\\S+\\.csv)");

  @TempDir Path dir;

  private Path storeFile;
  private String store;

  @BeforeEach
  void store() {
    storeFile = dir.resolve("offload-demo.db");
    store = "--store=sqlite:" + storeFile;
  }

  @Test
  void demoImportsTheOrdersReportsTheirTotalsAndListsTheBrokenOnesAsFailedItems() throws Exception {
    Cli.Result r = runToTheEnd("demo", store, "--orders", "1500", "--port", "0");

    assertThat(r.code()).as(r.toString()).isZero();
    // The monthly report is also a schedule, stored by the demo's node and listed by the CLI.
    assertThat(r.out())
        .contains("Schedule: demo.monthly-report makes the report at 06:00 on the 1st");
    Cli.Result schedules = Cli.run("schedules", "--json", store);
    assertThat(schedules.out())
        .contains("\"name\":\"demo.monthly-report\"")
        .contains("\"zone\":\"Europe/Copenhagen\"");
    assertThat(r.out())
        .contains("dashboard  http://127.0.0.1:")
        .contains("stage fetch done", "stage import done", "stage verify done")
        .contains("stages     orders sync #")
        .containsPattern(
            "retries +[1-9]\\d* = [1-9]\\d* job attempts? beyond the first \\+ [1-9]\\d* page retr")
        .contains("attempt 1 failed (page ")
        .contains("failed     2 broken orders, kept as failed items of orders sync #")
        .containsPattern("replay +bin/offload retry \\d+ --failed-items --store sqlite:")
        .contains("reconcile  12 of 12 months match the upstream")
        .contains("1,004 (orders sync #");
    // The month-end is one workflow: the sync, then the report and the reconciliation, then a
    // notification that goes out either way; shown as such on the terminal and in the store.
    Matcher enqueued =
        Pattern.compile(
                "Web request: workflow\\(\"month-end\"\\) of 4 steps, enqueued in one transaction:"
                    + " workflow #(\\d+)")
            .matcher(r.out());
    assertThat(enqueued.find()).as(r.out()).isTrue();
    String workflowId = enqueued.group(1);
    assertThat(r.out())
        .containsPattern(
            "sync #\\d+ \\(1,500 orders\\) -> report #\\d+ and reconcile #\\d+ -> notify #\\d+"
                + " \\(runs either way\\)")
        .contains("released by the last step it waits for")
        .contains(
            "workflow   month-end #"
                + workflowId
                + " succeeded: sync, then report and reconcile, then notify (runs either way)")
        .containsPattern(
            "notify +emailed finance@example.com: Month-end 2024: 1,\\d{3} orders, \\$")
        .contains("12 of 12 months match the upstream");
    JsonNode workflow = Json.tree(Cli.run("workflow", workflowId, "--json", store).out());
    assertThat(workflow.path("state").asText()).isEqualTo("succeeded");
    List<String> shape = new ArrayList<>();
    for (JsonNode step : workflow.path("steps")) {
      shape.add(
          step.path("name").asText()
              + " "
              + step.path("kind").asText()
              + " after "
              + step.path("after")
              + " "
              + step.path("onFailure").asText()
              + " "
              + step.path("state").asText());
    }
    assertThat(shape)
        .containsExactly(
            "sync demo.orders.sync after [] cancel succeeded",
            "report demo.reports.monthly after [\"sync\"] cancel succeeded",
            "reconcile demo.reconcile after [\"sync\"] cancel succeeded",
            "notify demo.notify after [\"report\",\"reconcile\"] continue succeeded");
    Demo.Expected upstream = Demo.expected(1_500);
    Path report = reportPath(r.out());
    assertThat(report).isEqualTo(dir.resolve("offload-demo-report-2024.csv").toAbsolutePath());
    assertThat(readReport(report)).isEqualTo(upstream.months());
    assertThat(failedItemsOfTheSync()).isEqualTo(upstream.brokenOrders());
  }

  /**
   * As a user does it: a demo process is stopped by SIGTERM (what Ctrl-C does) mid-sync, and a
   * second process resumes it. Separate JVMs, as in real use.
   */
  @Test
  void aStoppedDemoResumesFromItsCheckpointsWithoutCountingAnOrderTwice() throws Exception {
    Path firstLog = dir.resolve("first.log");
    Process first = demoProcess(firstLog, "demo", store, "--orders", "8000", "--port", "0");
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() ->
              Files.exists(firstLog)
                  && Files.readString(firstLog).contains("Web request: enqueueAll"));
      await().atMost(Duration.ofSeconds(60)).until(this::syncCheckpointPage, page -> page >= 5);
      first.destroy(); // SIGTERM: the demo stops gracefully and hands its jobs back
      assertThat(first.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      first.destroyForcibly();
    }
    String stopped = Files.readString(firstLog);
    assertThat(stopped)
        .contains(
            "Stopped. Run 'bin/offload demo --store sqlite:" + storeFile + "' again to resume");
    assertThat(stopped).doesNotContain("Summary");

    Path secondLog = dir.resolve("second.log");
    Process second = demoProcess(secondLog, "demo", store, "--orders", "2000", "--port", "0");
    try {
      assertThat(second.waitFor(120, java.util.concurrent.TimeUnit.SECONDS))
          .as("the resumed demo ends")
          .isTrue();
      assertThat(second.exitValue()).as(Files.readString(secondLog)).isZero();
    } finally {
      second.destroyForcibly();
    }
    String resumed = Files.readString(secondLog);
    assertThat(resumed)
        .containsPattern(
            "Resuming: sync job \\d+ at \\d+ % \\(checkpoint: page \\d+, [\\d,]+ orders fetched\\)")
        .containsPattern("Resuming: report job \\d+ \\(waiting, no checkpoint yet\\)")
        .containsPattern("Resuming: notify job \\d+ \\(waiting, no checkpoint yet\\)")
        .containsPattern(
            "workflow   month-end #\\d+ succeeded: sync, then report and reconcile, then notify")
        .doesNotContain("Web request:")
        .contains(
            "(--orders 2,000 does not apply to a resumed run: the upstream has the 8,000 orders the run began with.)");
    Demo.Expected upstream = Demo.expected(8_000);
    assertThat(readReport(reportPath(resumed))).isEqualTo(upstream.months());
    assertThat(failedItemsOfTheSync()).isEqualTo(upstream.brokenOrders());
  }

  /**
   * Runs {@code offload args...} in a JVM of its own, in the test's directory, output to {@code
   * log}.
   */
  private Process demoProcess(Path log, String... args) throws java.io.IOException {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                javaBin,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /**
   * {@code demo --push}: 10,000 orders (5 s of work) through a simulated function that cuts every
   * call off at 5 s: the sync yields before the cut-off and is continued from its checkpoint, in
   * one attempt, and its progress only rises.
   */
  @Test
  void pushDemoRunsTheSyncToTheEndThroughAFunctionCutOffAtFiveSeconds() throws Exception {
    Cli.Result r = runToTheEnd("demo", "--push", store, "--orders", "10000", "--port", "0");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("every call cut off after 5 s")
        .containsPattern("call 1 +orders 0-[\\d,]+ in [\\d.]+ s, then yielded: 202 continue from")
        .containsPattern(
            "call [2-9] +orders [\\d,]+-10,000 in [\\d.]+ s: done, 200 with the result")
        .containsPattern(
            "Job #\\d+ succeeded in [\\d.]+ s: [2-9] calls of at most 5 s each, attempt 1 of 20, 0"
                + " calls cut off");
    List<Double> percents = new ArrayList<>();
    Matcher bar = Pattern.compile("\\] +(\\d+)%").matcher(r.out());
    while (bar.find()) {
      percents.add(Double.parseDouble(bar.group(1)));
    }
    assertThat(percents).isNotEmpty().isSorted();
    try (Offload offload = reader()) {
      Job sync = offload.jobs(JobQuery.of(JobFilter.any().kind("demo.push.sync"))).jobs().get(0);
      assertThat(sync.result().get("orders").asInt()).isEqualTo(10_000);
      assertThat(sync.result().get("calls").asInt()).isGreaterThanOrEqualTo(2);
      assertThat(sync.attempt()).isEqualTo(1);
    }
  }

  @Test
  void ordersOutOfRangeAreABadUsage() {
    Cli.Result r = Cli.run("demo", store, "--orders", "0");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("offload: --orders must be between 1 and 500000, got 0");
  }

  /** Runs the demo until it ends by itself, and returns what it printed. */
  private static Cli.Result runToTheEnd(String... args) throws InterruptedException {
    Cli.Worker demo = Cli.startWorker(args);
    await().atMost(Duration.ofSeconds(90)).until(() -> !demo.isRunning());
    return demo.stop();
  }

  private static Path reportPath(String out) {
    Matcher m = REPORT.matcher(out);
    assertThat(m.find()).as("a report path in:\n" + out).isTrue();
    return Path.of(m.group(1));
  }

  /** The report's rows as month totals; its total column is in currency units with two decimals. */
  private static List<MonthTotal> readReport(Path report) throws Exception {
    List<String> lines = Files.readAllLines(report);
    assertThat(lines.get(0)).isEqualTo("month,orders,total");
    List<MonthTotal> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      rows.add(
          new MonthTotal(
              f[0], Long.parseLong(f[1]), new BigDecimal(f[2]).movePointRight(2).longValueExact()));
    }
    return rows;
  }

  private Offload reader() {
    return Offload.builder().store(SqliteStore.open(storeFile)).build();
  }

  private List<String> failedItemsOfTheSync() {
    try (Offload offload = reader()) {
      List<Job> syncs = offload.jobs(JobQuery.of(JobFilter.any().kind(SYNC))).jobs();
      assertThat(syncs).hasSize(1);
      FailedItems failed = syncs.get(0).failedItems();
      assertThat(failed.omitted()).isZero();
      return failed.items().stream().map(FailedItems.Item::key).toList();
    }
  }

  private int syncCheckpointPage() {
    try (Offload offload = reader()) {
      return offload.jobs(JobQuery.of(JobFilter.any().kind(SYNC))).jobs().stream()
          .filter(j -> j.checkpoint() != null)
          .mapToInt(j -> j.checkpoint().path("page").asInt())
          .max()
          .orElse(0);
    }
  }
}
