package dev.offload.demo;

import dev.offload.Job.JobState;
import dev.offload.JobContext;
import dev.offload.JobOptions;
import dev.offload.JobOptions.RetryPolicy;
import dev.offload.Offload;
import dev.offload.Offload.JobListener;
import dev.offload.Schedule;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The job kinds of {@code offload demo}, registered as a web app would register its own, and what
 * their handlers share: the upstream's client, the app's database and the {@link Offload} a sync
 * replay chains its follow-ups with.
 *
 * <table>
 *   <caption>Kinds and their options</caption>
 *   <tr><th>kind</th><th>queue</th><th>priority</th><th>attempts</th><th>timeout</th></tr>
 *   <tr><td>{@code demo.orders.sync} ({@link DemoSync})</td><td>sync</td><td>0</td><td>8</td><td>10 min</td></tr>
 *   <tr><td>{@code demo.reports.monthly} ({@link DemoReports#report})</td><td>reports</td><td>0</td><td>5</td><td>2 min</td></tr>
 *   <tr><td>{@code demo.reconcile} ({@link DemoReports#reconcile})</td><td>reports</td><td>0</td><td>5</td><td>2 min</td></tr>
 *   <tr><td>{@code demo.email} ({@link #email})</td><td>default</td><td>9 (last)</td><td>5</td><td>30 s</td></tr>
 *   <tr><td>{@code demo.notify} ({@link DemoMonthEnd#notify})</td><td>reports</td><td>0</td><td>5</td><td>30 s</td></tr>
 * </table>
 *
 * <p>The sync, the report, the reconciliation and the notification are the steps of the month-end
 * workflow ({@link DemoMonthEnd}).
 *
 * <p>Queues: {@code sync} runs 2 jobs at a time, {@code reports} 2, {@code default} 8. Failed
 * attempts retry after 0.5 s, doubling up to 8 s: the upstream's hiccups are short.
 *
 * <p>Handlers are registered before the {@link Offload} exists; {@link #attach} hands them the
 * Offload and the upstream's client before {@link Offload#start()}.
 */
final class DemoKinds {
  static final String SYNC = "demo.orders.sync";
  static final String REPORT = "demo.reports.monthly";
  static final String RECONCILE = "demo.reconcile";
  static final String EMAIL = "demo.email";
  static final String NOTIFY = "demo.notify";

  /**
   * The monthly report as a schedule: 06:00 on the 1st, Copenhagen time ({@code offload schedules}
   * lists it).
   */
  static final String MONTHLY_REPORT_SCHEDULE = "demo.monthly-report";

  /** The kinds whose jobs get a progress line of their own. */
  static final List<String> LONG_KINDS = List.of(SYNC, REPORT, RECONCILE, NOTIFY);

  static final String SYNC_QUEUE = "sync";
  static final String REPORTS_QUEUE = "reports";
  static final String EMAIL_QUEUE = "default";
  static final int EMAIL_PRIORITY = 9;

  record EmailArgs(String to, String template) {}

  private final DemoOrders orders;
  private final Path reportDir;
  private final AtomicInteger emailsRunning = new AtomicInteger();
  private volatile DemoClient client;
  private volatile Offload offload;

  DemoKinds(DemoOrders orders, Path reportDir) {
    this.orders = orders;
    this.reportDir = reportDir;
  }

  /** Registers the kinds and their queues. */
  void configure(Offload.Builder b) {
    RetryPolicy shortBackoff =
        RetryPolicy.exponential(Duration.ofMillis(500), 2.0, Duration.ofSeconds(8), 0.2);
    b.register(
        SYNC,
        new DemoSync(this),
        JobOptions.defaults()
            .queue(SYNC_QUEUE)
            .maxAttempts(8)
            .retryPolicy(shortBackoff)
            .timeout(Duration.ofMinutes(10)));
    DemoReports reports = new DemoReports(this);
    JobOptions reportOptions =
        JobOptions.defaults()
            .queue(REPORTS_QUEUE)
            .maxAttempts(5)
            .retryPolicy(shortBackoff)
            .timeout(Duration.ofMinutes(2));
    b.register(REPORT, DemoReports.ReportArgs.class, reports::report, reportOptions);
    b.register(RECONCILE, DemoReports.ReconcileArgs.class, reports::reconcile, reportOptions);
    b.register(
        EMAIL,
        EmailArgs.class,
        DemoKinds::email,
        JobOptions.defaults()
            .queue(EMAIL_QUEUE)
            .priority(EMAIL_PRIORITY)
            .maxAttempts(5)
            .retryPolicy(shortBackoff)
            .timeout(Duration.ofSeconds(30)));
    b.register(
        NOTIFY,
        DemoMonthEnd.NotifyArgs.class,
        DemoMonthEnd::notify,
        JobOptions.defaults()
            .queue(REPORTS_QUEUE)
            .maxAttempts(5)
            .retryPolicy(shortBackoff)
            .timeout(Duration.ofSeconds(30)));
    b.queue(SYNC_QUEUE, 2).queue(REPORTS_QUEUE, 2).queue(EMAIL_QUEUE, 8);
    // The report also runs on a calendar; the demo does not wait for it, but the schedule is
    // stored.
    b.schedule(
        MONTHLY_REPORT_SCHEDULE,
        Schedule.cron("0 6 1 * *", ZoneId.of("Europe/Copenhagen")),
        REPORT,
        new DemoReports.ReportArgs(DemoUpstream.YEAR));
    b.listener(
        new JobListener() {
          @Override
          public void onStarted(String kind, String queue, long waitedMillis) {
            if (kind.equals(EMAIL)) {
              emailsRunning.incrementAndGet();
            }
          }

          @Override
          public void onFinished(String kind, String queue, JobState state, long runMillis) {
            if (kind.equals(EMAIL)) {
              emailsRunning.decrementAndGet();
            }
          }
        });
  }

  /**
   * Emails running on this node now. (The store's count of running jobs is higher: it includes the
   * jobs a worker claimed ahead and holds for its next free slot.)
   */
  int emailsRunning() {
    return emailsRunning.get();
  }

  /** Gives the handlers what exists only once the Offload is built and the upstream started. */
  void attach(Offload offload, DemoClient client) {
    this.offload = Objects.requireNonNull(offload, "offload");
    this.client = Objects.requireNonNull(client, "client");
  }

  DemoClient client() {
    DemoClient c = client;
    if (c == null) {
      throw new IllegalStateException("the demo kinds run only after attach(offload, client)");
    }
    return c;
  }

  Offload offload() {
    Offload o = offload;
    if (o == null) {
      throw new IllegalStateException("the demo kinds run only after attach(offload, client)");
    }
    return o;
  }

  DemoOrders orders() {
    return orders;
  }

  Path reportDir() {
    return reportDir;
  }

  /** {@code demo.email}: "sends" one email, which takes 3 to 12 ms. */
  static Object email(EmailArgs args, JobContext ctx) throws InterruptedException {
    Thread.sleep(ThreadLocalRandom.current().nextLong(3, 13));
    return null;
  }
}
