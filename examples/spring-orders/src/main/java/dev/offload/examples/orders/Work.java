package dev.offload.examples.orders;

import dev.offload.JobContext;
import dev.offload.JobHandler;
import dev.offload.spring.OffloadJob;
import java.time.YearMonth;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The three jobs a user can start. The work is simulated (a short pause per item, no network), with
 * real progress, so a small run ends within the controller's budget and a large one does not. Every
 * job's args name its owner, which the job page checks.
 */
final class Work {
  private Work() {}

  /** Pause per simulated item: the time an order, a day of a report or a payment takes. */
  static final long MILLIS_PER_ITEM = 40;

  /** A sync of {@code orders} orders for {@code owner}. */
  record SyncArgs(String owner, int orders) {}

  /** The report of {@code month} (yyyy-MM) for {@code owner}. */
  record ReportArgs(String owner, String month) {}

  /** A reconcile of {@code payments} payments for {@code owner}. */
  record ReconcileArgs(String owner, int payments) {}

  /** What a sync returns: how many orders it imported and what they are worth. */
  record SyncResult(String owner, int imported, long totalCents) {}

  /** What a report returns: how many orders the month had. */
  record ReportResult(String owner, String month, long orders) {}

  /** What a reconcile returns: how many payments it checked and how many did not match. */
  record ReconcileResult(String owner, int checked, int mismatches) {}

  @Component
  @OffloadJob(kind = "orders.sync", queue = "sync", maxAttempts = 5, timeout = "10m")
  static class OrderSync implements JobHandler<SyncArgs> {
    @Override
    public Object run(SyncArgs args, JobContext ctx) throws InterruptedException {
      ctx.stages(new dev.offload.Job.Stage("fetch", 1), new dev.offload.Job.Stage("import", 3));
      ctx.stage("fetch", args.orders());
      ctx.message("Fetching " + args.orders() + " orders");
      long value = 0;
      for (int i = 1; i <= args.orders(); i++) {
        pause(ctx, MILLIS_PER_ITEM / 4);
        ctx.advance(1);
      }
      ctx.stage("import", args.orders());
      for (int i = 1; i <= args.orders(); i++) {
        pause(ctx, MILLIS_PER_ITEM);
        value += 1000L + (i * 37L) % 5000;
        ctx.advance(1);
        ctx.message("Imported order " + i + " of " + args.orders());
      }
      return new SyncResult(args.owner(), args.orders(), value);
    }
  }

  @Component
  @OffloadJob(kind = "reports.monthly", queue = "reports", maxAttempts = 3, timeout = "10m")
  static class MonthlyReport implements JobHandler<ReportArgs> {
    @Override
    public Object run(ReportArgs args, JobContext ctx) throws InterruptedException {
      YearMonth month = YearMonth.parse(args.month());
      int days = month.lengthOfMonth();
      ctx.total(days);
      long orders = 0;
      for (int day = 1; day <= days; day++) {
        pause(ctx, MILLIS_PER_ITEM * 4);
        orders += 3 + (day * 7L) % 11;
        ctx.advance(1);
        ctx.message("Summed " + month.atDay(day));
      }
      return new ReportResult(args.owner(), args.month(), orders);
    }
  }

  @Component
  @OffloadJob(kind = "payments.reconcile", queue = "reconcile", maxAttempts = 3, timeout = "10m")
  static class Reconcile implements JobHandler<ReconcileArgs> {
    @Override
    public Object run(ReconcileArgs args, JobContext ctx) throws InterruptedException {
      ctx.total(args.payments());
      int mismatches = 0;
      for (int i = 1; i <= args.payments(); i++) {
        pause(ctx, MILLIS_PER_ITEM);
        if (i % 17 == 0) {
          mismatches++;
        }
        ctx.advance(1);
      }
      return new ReconcileResult(args.owner(), args.payments(), mismatches);
    }
  }

  /** The simulated work of one item; ends early when the job is cancelled. */
  private static void pause(JobContext ctx, long millis) throws InterruptedException {
    if (ctx.isCancelled()) {
      throw new InterruptedException("cancelled");
    }
    TimeUnit.MILLISECONDS.sleep(millis);
  }
}
