package dev.offload.demo;

import static dev.offload.Workflow.StepOptions.after;

import dev.offload.JobContext;
import dev.offload.Offload;
import dev.offload.Workflow;
import dev.offload.Workflow.OnFailure;
import dev.offload.Workflow.WorkflowId;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's month-end as one workflow, enqueued in one transaction: the order sync, then the
 * monthly report and the reconciliation (in parallel, each waiting for the sync), then a note to
 * the finance team that goes out either way ({@code onFailure: continue}), saying what the other
 * steps returned or that they did not succeed.
 *
 * <pre>
 *   sync ──┬─▶ report ────┬─▶ notify (continue)
 *          └─▶ reconcile ─┘
 * </pre>
 *
 * <p>Before workflows the sync enqueued the report and the reconciliation itself at its end, so a
 * failed report could not be retried on its own and nothing showed the chain; now a dead report is
 * retried alone ({@code offload retry ID}) and the dashboard draws the graph ({@code
 * #/workflows/ID}).
 */
final class DemoMonthEnd {
  static final String NAME = "month-end";
  static final String SYNC = "sync";
  static final String REPORT = "report";
  static final String RECONCILE = "reconcile";
  static final String NOTIFY = "notify";
  static final String FINANCE = "finance@example.com";

  /** {@code demo.notify}'s args: whom to tell, and which year the month-end is about. */
  record NotifyArgs(String to, int year) {}

  /**
   * What {@code demo.notify} "sent".
   *
   * @param complete whether the sync, the report and the reconciliation all succeeded
   */
  record NotifyResult(String to, String subject, boolean complete) {}

  private DemoMonthEnd() {}

  /** Enqueues the month-end for an upstream of {@code orders} orders; returns it as stored. */
  static Workflow enqueue(Offload offload, int orders) {
    WorkflowId id =
        offload
            .workflow(NAME)
            .step(SYNC, DemoKinds.SYNC, new DemoSync.Args(orders))
            .step(
                REPORT,
                DemoKinds.REPORT,
                new DemoReports.ReportArgs(DemoUpstream.YEAR),
                after(SYNC))
            .step(
                RECONCILE,
                DemoKinds.RECONCILE,
                new DemoReports.ReconcileArgs(DemoUpstream.YEAR),
                after(SYNC))
            .step(
                NOTIFY,
                DemoKinds.NOTIFY,
                new NotifyArgs(FINANCE, DemoUpstream.YEAR),
                after(REPORT, RECONCILE).onFailure(OnFailure.CONTINUE))
            .enqueue();
    return offload
        .workflow(id)
        .orElseThrow(() -> new IllegalStateException("workflow " + id + " vanished"));
  }

  /** The step named {@code name}, or null. */
  static Workflow.Step step(Workflow w, String name) {
    return w.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
  }

  /**
   * {@code demo.notify}: "emails" the finance team what the month-end produced, reading the other
   * steps' results. It runs after the report and the reconciliation have ended, whether or not they
   * succeeded, so the subject says what is missing.
   */
  static NotifyResult notify(NotifyArgs args, JobContext ctx) {
    DemoSync.Result sync = ctx.resultOf(SYNC, DemoSync.Result.class);
    DemoReports.ReportResult report = ctx.resultOf(REPORT, DemoReports.ReportResult.class);
    DemoReports.ReconcileResult reconcile =
        ctx.resultOf(RECONCILE, DemoReports.ReconcileResult.class);
    String subject;
    if (sync != null && report != null && reconcile != null) {
      subject =
          String.format(
              "Month-end %d: %,d orders, %s; %d of %d months match the upstream",
              args.year(),
              report.orders(),
              DemoReports.money(report.totalCents()),
              reconcile.matched(),
              reconcile.months());
    } else {
      List<String> missing = new ArrayList<>();
      if (sync == null) {
        missing.add("the order sync");
      }
      if (report == null) {
        missing.add("the report");
      }
      if (reconcile == null) {
        missing.add("the reconciliation");
      }
      subject =
          String.format(
              "Month-end %d incomplete: %s did not succeed",
              args.year(), String.join(", ", missing));
    }
    ctx.message("to " + args.to() + ": " + subject);
    return new NotifyResult(
        args.to(), subject, sync != null && report != null && reconcile != null);
  }
}
