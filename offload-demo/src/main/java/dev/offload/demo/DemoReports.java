package dev.offload.demo;

import dev.offload.Job.Stage;
import dev.offload.JobContext;
import dev.offload.PermanentFailure;
import dev.offload.demo.DemoClient.RateLimited;
import dev.offload.demo.DemoClient.Totals;
import dev.offload.demo.DemoClient.UpstreamException;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The jobs the order sync chains when it succeeds, both on the {@code reports} queue:
 *
 * <ul>
 *   <li>{@code demo.reports.monthly}, args {@code {"year": 2024}}: adds up the imported orders per
 *       month (stage aggregate) and writes {@code offload-demo-report-YEAR.csv} with the columns
 *       month, orders and total (stage write); the result holds the file's absolute path.
 *   <li>{@code demo.reconcile}, args {@code {"year": 2024}}: a bulk job whose items are the months;
 *       each month's imported count and amount must equal the upstream's {@code /totals}, and a
 *       month that does not is a failed item. A follow-up for the failed items checks just those
 *       months.
 * </ul>
 */
final class DemoReports {
  record ReportArgs(int year) {}

  /** The report's result: where it is and what it adds up to. */
  record ReportResult(String path, int months, long orders, long totalCents) {}

  record ReconcileArgs(int year) {}

  record ReconcileResult(int months, int matched, int mismatched) {}

  /** The reconciliation's checkpoint: snoozes so far (it has nothing else worth resuming). */
  record ReconcileCheckpoint(int snoozes) {}

  private final DemoKinds app;

  DemoReports(DemoKinds app) {
    this.app = app;
  }

  static String reportFileName(int year) {
    return "offload-demo-report-" + year + ".csv";
  }

  ReportResult report(ReportArgs args, JobContext ctx) throws Exception {
    ctx.stages(Stage.of("aggregate", 2), Stage.of("write", 1));
    List<String> months = months(args.year());
    ctx.stage("aggregate", months.size());
    List<MonthTotal> rows = new ArrayList<>(months.size());
    for (String month : months) {
      rows.add(app.orders().monthTotal(month));
      ctx.advance(1);
      ctx.message("added up " + month);
    }
    ctx.stage("write", rows.size());
    Path file = app.reportDir().resolve(reportFileName(args.year())).toAbsolutePath();
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    long orders = 0;
    long total = 0;
    try (BufferedWriter w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
      w.write("month,orders,total\n");
      for (MonthTotal r : rows) {
        w.write(r.month() + "," + r.orders() + "," + decimal(r.amountCents()) + "\n");
        orders += r.orders();
        total += r.amountCents();
        ctx.advance(1);
      }
    }
    // Readers never see half a report: the file appears whole or not at all.
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    ctx.message(String.format("%s: %,d orders", file.getFileName(), orders));
    return new ReportResult(file.toString(), rows.size(), orders, total);
  }

  ReconcileResult reconcile(ReconcileArgs args, JobContext ctx) throws Exception {
    List<String> months = ctx.retryItems().isEmpty() ? months(args.year()) : ctx.retryItems();
    int snoozes =
        ctx.checkpoint(ReconcileCheckpoint.class).map(ReconcileCheckpoint::snoozes).orElse(0);
    ctx.total(months.size() + 1L);
    Totals upstream;
    try {
      upstream = app.client().totals();
    } catch (RateLimited e) {
      ctx.message("/totals: HTTP 429; snoozed " + DemoScreen.duration(e.retryAfter()));
      ctx.checkpoint(new ReconcileCheckpoint(snoozes + 1));
      ctx.snooze(e.retryAfter());
      throw e; // not reached: snooze throws
    } catch (UpstreamException e) {
      if (!e.isTransient()) {
        throw new PermanentFailure("reconcile: " + e.getMessage(), e);
      }
      throw e;
    }
    ctx.advance(1);
    Map<String, MonthTotal> theirs =
        upstream.months().stream()
            .collect(Collectors.toMap(MonthTotal::month, Function.identity()));
    int matched = 0;
    for (String month : months) {
      MonthTotal ours = app.orders().monthTotal(month);
      MonthTotal up = theirs.getOrDefault(month, new MonthTotal(month, 0, 0));
      if (ours.orders() == up.orders() && ours.amountCents() == up.amountCents()) {
        matched++;
      } else {
        ctx.itemFailed(
            month,
            String.format(
                "upstream has %,d orders, %s; imported %,d, %s",
                up.orders(), money(up.amountCents()), ours.orders(), money(ours.amountCents())));
      }
      ctx.advance(1);
      ctx.message(String.format("%d of %d months match", matched, months.size()));
    }
    return new ReconcileResult(months.size(), matched, months.size() - matched);
  }

  static List<String> months(int year) {
    List<String> months = new ArrayList<>(12);
    for (int m = 1; m <= 12; m++) {
      months.add(String.format("%d-%02d", year, m));
    }
    return months;
  }

  /** 123456 cents as {@code 1234.56}. */
  static String decimal(long cents) {
    return (cents < 0 ? "-" : "")
        + Math.abs(cents) / 100
        + "."
        + String.format("%02d", Math.abs(cents) % 100);
  }

  /** 123456789 cents as {@code $1,234,567.89}. */
  static String money(long cents) {
    return (cents < 0 ? "-$" : "$")
        + String.format("%,d", Math.abs(cents) / 100)
        + "."
        + String.format("%02d", Math.abs(cents) % 100);
  }
}
