package dev.offload.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job;
import dev.offload.Job.JobFilter;
import dev.offload.Job.JobId;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Job.Progress;
import dev.offload.Offload;
import dev.offload.Offload.QueueStats;
import dev.offload.Workflow;
import dev.offload.Workflow.WorkflowId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of {@code offload demo} on a built {@link Offload}: decides whether to resume or start
 * fresh, enqueues as a web app would, follows the jobs on a {@link DemoScreen} until they end (or a
 * stop is requested), and collects what the {@link DemoSummary} reports.
 *
 * <p>Resuming: jobs of the demo's kinds that are not in a final state belong to an earlier run that
 * stopped; the run follows those (and every step of their month-end workflow) instead of enqueueing
 * new ones. Otherwise it clears the app's orders and starts over with a new month-end workflow
 * ({@link DemoMonthEnd}) and a burst of emails.
 *
 * <p>Events (the lines above the progress block) come from comparing each job with how it looked at
 * the previous tick ({@link DemoEvents}); the workflow's end is announced here, after its steps'.
 *
 * <p>Not thread-safe: one thread runs it; the jobs' watchers only replace each {@link
 * DemoTracked#latest}.
 */
final class DemoRun {
  static final int EMAILS = 1_000;
  private static final Duration TICK = Duration.ofMillis(200);
  private static final List<JobState> PENDING =
      List.of(
          JobState.RUNNING,
          JobState.RETRYING,
          JobState.AVAILABLE,
          JobState.SCHEDULED,
          JobState.WAITING);

  /**
   * What the store holds when the demo starts.
   *
   * @param orders the orders the upstream must have: the unfinished sync's, else the requested
   * @param unfinished the demo's long jobs not in a final state, by id
   * @param emailsPending demo emails not sent yet
   * @param lastRun the app's record of the latest run, or null
   */
  record Plan(int orders, List<Job> unfinished, long emailsPending, DemoOrders.Run lastRun) {
    boolean resuming() {
      return !unfinished.isEmpty() || emailsPending > 0;
    }
  }

  private final Offload offload;
  private final DemoKinds kinds;
  private final DemoOrders app;
  private final DemoScreen screen;
  private final String dashboard;
  private final DemoEvents events;
  private final Map<Long, DemoTracked> tracked = new LinkedHashMap<>();
  private final Instant started = Instant.now();
  private int emailTotal;
  private long emailsPending;
  private long emailsRunning;
  private Instant emailsDoneAt;
  private Workflow workflow;
  private boolean workflowEndShown;

  DemoRun(Offload offload, DemoKinds kinds, DemoScreen screen, String dashboard) {
    this.offload = offload;
    this.kinds = kinds;
    this.app = kinds.orders();
    this.screen = screen;
    this.dashboard = dashboard;
    this.events = new DemoEvents(screen);
  }

  /** Reads what an earlier run left in the store; touches nothing. */
  static Plan plan(Offload offload, DemoOrders app, int requestedOrders) {
    List<Job> unfinished = new ArrayList<>();
    for (String kind : DemoKinds.LONG_KINDS) {
      for (JobState state : PENDING) {
        unfinished.addAll(
            offload
                .jobs(
                    JobQuery.of(JobFilter.any().kind(kind).state(state)).limit(JobQuery.MAX_LIMIT))
                .jobs());
      }
    }
    unfinished.sort(Comparator.comparingLong(j -> j.id().value()));
    DemoOrders.Run last = app.latestRun().orElse(null);
    int orders = requestedOrders;
    Job sync =
        unfinished.stream().filter(j -> j.kind().equals(DemoKinds.SYNC)).findFirst().orElse(null);
    if (sync != null) {
      orders = sync.args().path("orders").asInt(requestedOrders);
    } else if (!unfinished.isEmpty() && last != null) {
      orders = last.orders();
    }
    return new Plan(orders, unfinished, pendingEmails(offload), last);
  }

  /**
   * Jobs waiting or running in the emails' queue: in the demo's own store, those are its emails.
   */
  private static long pendingEmails(Offload offload) {
    for (QueueStats q : offload.queues()) {
      if (q.name().equals(DemoKinds.EMAIL_QUEUE)) {
        return PENDING.stream().mapToLong(q::count).sum();
      }
    }
    return 0;
  }

  // ---------------------------------------------------------------- starting

  /** Follows the jobs an earlier run left unfinished; says where each one is. */
  void resume(Plan plan) {
    DemoOrders.Run last = plan.lastRun();
    boolean lastSyncListed = false;
    for (Job job : plan.unfinished()) {
      track(job);
      lastSyncListed |= last != null && job.id().value() == last.syncJob();
      screen.println("Resuming: " + describe(job));
    }
    boolean syncUnfinished =
        plan.unfinished().stream().anyMatch(u -> u.kind().equals(DemoKinds.SYNC));
    if (last != null && !lastSyncListed && !syncUnfinished) {
      // The run's sync finished; follow it too: it holds the failed items (and a replay names the
      // jobs it chained).
      offload.job(new JobId(last.syncJob())).ifPresent(this::track);
    }
    // The steps of the month-end still to run belong to a workflow: follow all of it.
    for (DemoTracked t : List.copyOf(tracked.values())) {
      if (workflow == null && t.latest.workflowId() != null) {
        offload.workflow(new WorkflowId(t.latest.workflowId())).ifPresent(this::trackWorkflow);
      }
    }
    if (plan.emailsPending() > 0) {
      emailTotal =
          last != null && last.emails() >= plan.emailsPending()
              ? last.emails()
              : (int) plan.emailsPending();
      emailsPending = plan.emailsPending();
      screen.println(
          String.format(
              "Resuming: %,d of %,d emails still to send", plan.emailsPending(), emailTotal));
    }
  }

  private static String describe(Job job) {
    StringBuilder s =
        new StringBuilder(
            switch (job.kind()) {
              case DemoKinds.SYNC -> job.parentId() != null ? "sync replay" : "sync";
              case DemoKinds.REPORT -> "report";
              case DemoKinds.RECONCILE -> "reconciliation";
              case DemoKinds.NOTIFY -> "notify";
              default -> job.kind();
            });
    s.append(" job ").append(job.id());
    Progress p = job.progress();
    if (p != null) {
      s.append(String.format(" at %.0f %%", Math.floor(p.percent())));
    }
    JsonNode cp = job.checkpoint();
    if (cp != null && cp.has("stage")) {
      String stage = cp.path("stage").asText();
      s.append(" (checkpoint: ");
      switch (stage) {
        case DemoSync.FETCH ->
            s.append(
                String.format(
                    "page %,d, %,d orders fetched",
                    cp.path("page").asInt(), cp.path("fetched").asLong()));
        case DemoSync.IMPORT ->
            s.append(String.format("import, %,d orders imported", cp.path("imported").asLong()));
        case DemoSync.REPLAY ->
            s.append(String.format("%,d items replayed", cp.path("page").asInt()));
        default -> s.append(stage);
      }
      s.append(')');
    } else {
      s.append(" (").append(DemoScreen.stateName(job.state())).append(", no checkpoint yet)");
    }
    if (job.state() == JobState.RUNNING) {
      s.append(
          "; its worker stopped without handing it back, so it restarts when its lease expires");
    }
    return s.toString();
  }

  /**
   * Starts a new run as a web app's request would: the month-end as one workflow in one transaction
   * (the sync first; the report and the reconciliation wait for it; the notification waits for both
   * and runs either way), then a burst of emails in one statement.
   */
  void startFresh(int orders) {
    app.clearOrders();
    Workflow w = DemoMonthEnd.enqueue(offload, orders);
    long sync = DemoMonthEnd.step(w, DemoMonthEnd.SYNC).jobId().value();
    screen.println(
        String.format(
            "Web request: workflow(\"%s\") of %d steps, enqueued in one transaction: workflow #%d",
            w.name(), w.steps().size(), w.id()));
    screen.println("             (" + dashboard + "/#/workflows/" + w.id() + ")");
    screen.println(
        String.format(
            "             %s #%d (%,d orders) -> %s #%d and %s #%d -> %s #%d (runs either way)",
            DemoMonthEnd.SYNC,
            sync,
            orders,
            DemoMonthEnd.REPORT,
            DemoMonthEnd.step(w, DemoMonthEnd.REPORT).jobId().value(),
            DemoMonthEnd.RECONCILE,
            DemoMonthEnd.step(w, DemoMonthEnd.RECONCILE).jobId().value(),
            DemoMonthEnd.NOTIFY,
            DemoMonthEnd.step(w, DemoMonthEnd.NOTIFY).jobId().value()));
    List<JobRequest> emails = new ArrayList<>(EMAILS);
    for (int i = 1; i <= EMAILS; i++) {
      emails.add(
          JobRequest.of(
              DemoKinds.EMAIL,
              new DemoKinds.EmailArgs("customer" + i + "@example.com", "newsletter"),
              EnqueueOptions.none()));
    }
    offload.enqueueAll(emails);
    screen.println(
        String.format(
            "Web request: enqueueAll(%,d newsletter emails) in one statement, at priority %d (0 runs first, 9 last)",
            EMAILS, DemoKinds.EMAIL_PRIORITY));
    screen.println(
        "Schedule: "
            + DemoKinds.MONTHLY_REPORT_SCHEDULE
            + " makes the report at 06:00 on the 1st, Copenhagen time"
            + " (offload schedules lists it)");
    app.recordRun(sync, orders, EMAILS);
    emailTotal = EMAILS;
    emailsPending = EMAILS;
    trackWorkflow(w);
  }

  /** Follows every step of a workflow, in its steps' order. */
  private void trackWorkflow(Workflow w) {
    workflow = w;
    for (Workflow.Step st : w.steps()) {
      offload.job(st.jobId()).ifPresent(this::track);
    }
  }

  private void track(Job job) {
    long id = job.id().value();
    if (tracked.containsKey(id)) {
      return;
    }
    DemoTracked t = new DemoTracked(job);
    tracked.put(id, t);
    t.watch = offload.watch(job.id(), j -> t.latest = j);
  }

  // ---------------------------------------------------------------- following

  /**
   * Draws and reports events until every followed job has ended or {@code stop} is requested.
   *
   * @return true when everything ended, false when stopped first
   */
  boolean follow(Demo.Stop stop) throws InterruptedException {
    while (true) {
      boolean done = tick();
      if (done) {
        screen.draw(lines(), /* force= */ true);
        return true;
      }
      screen.draw(lines(), /* force= */ false);
      if (stop.await(TICK)) {
        screen.draw(lines(), /* force= */ true);
        return false;
      }
    }
  }

  /** Looks at every job once; returns whether all have ended. */
  private boolean tick() {
    Instant now = Instant.now();
    boolean allEnded = true;
    Workflow workflowBefore = workflow;
    for (DemoTracked t : List.copyOf(tracked.values())) {
      Job job = t.latest;
      events.observe(t, job, now);
      t.seen = job;
      if (!job.state().isFinal()) {
        allEnded = false;
      } else if (job.state() == JobState.SUCCEEDED && job.result() != null) {
        for (String field : List.of("reportJob", "reconcileJob")) {
          JsonNode chained = job.result().get(field);
          if (chained != null && chained.isIntegralNumber()) {
            long cid = chained.asLong();
            if (!tracked.containsKey(cid)) {
              offload.job(new JobId(cid)).ifPresent(this::track);
              allEnded = false;
            }
          }
        }
      }
    }
    if (workflowBefore != null) {
      // Read after the steps, and announced only once this run saw each step end, so the
      // workflow's end follows its steps' on the screen.
      workflow = offload.workflow(new WorkflowId(workflowBefore.id())).orElse(workflowBefore);
      boolean stepsSeenEnded =
          workflow.steps().stream()
              .allMatch(st -> {
                DemoTracked t = tracked.get(st.jobId().value());
                return t == null || t.seen.state().isFinal();
              });
      if (workflow.state() == Workflow.State.RUNNING || !stepsSeenEnded) {
        allEnded = false;
      } else if (!workflowEndShown) {
        workflowEndShown = true;
        Instant last =
            workflow.steps().stream()
                .map(Workflow.Step::finishedAt)
                .filter(java.util.Objects::nonNull)
                .max(Instant::compareTo)
                .orElse(now);
        screen.event(
            String.format(
                "%s workflow #%d %s in %s",
                workflow.name(),
                workflow.id(),
                workflow.state().wireName(),
                seconds(Duration.between(workflow.createdAt(), last))));
      }
    }
    if (emailTotal > 0) {
      emailsPending = pendingEmails(offload);
      emailsRunning = kinds.emailsRunning();
      if (emailsPending == 0 && emailsDoneAt == null) {
        emailsDoneAt = now;
        screen.event(
            String.format(
                "emails: all %,d sent, %s after the run started",
                emailTotal, seconds(Duration.between(started, now))));
      }
      allEnded &= emailsPending == 0;
    }
    return allEnded;
  }

  // ---------------------------------------------------------------- drawing

  List<String> lines() {
    List<String> lines = new ArrayList<>();
    Workflow w = workflow;
    if (w != null) {
      lines.add(
          DemoScreen.line(
              w.name() + " #" + w.id(),
              w.state() == Workflow.State.SUCCEEDED ? 100 : w.progress().percent(),
              w.state().wireName(),
              "",
              "workflow: sync -> report, reconcile -> notify"));
    }
    boolean mainSyncAlive = false;
    for (DemoTracked t : tracked.values()) {
      if (t.kind.equals(DemoKinds.SYNC)) {
        lines.add(jobLine(t));
        mainSyncAlive |=
            t.latest.parentId() == null
                && t.latest.state() != JobState.DEAD
                && t.latest.state() != JobState.CANCELLED;
      }
    }
    if (!addJobLines(lines, DemoKinds.REPORT) && mainSyncAlive) {
      lines.add(DemoScreen.waitingLine("monthly report", "starts when the sync succeeds"));
    }
    if (!addJobLines(lines, DemoKinds.RECONCILE) && mainSyncAlive) {
      lines.add(DemoScreen.waitingLine("reconciliation", "starts when the sync succeeds"));
    }
    addJobLines(lines, DemoKinds.NOTIFY);
    if (emailTotal > 0) {
      long sent = Math.max(0, emailTotal - emailsPending);
      lines.add(
          DemoScreen.countLine(
              "emails (priority " + DemoKinds.EMAIL_PRIORITY + ")",
              sent,
              emailTotal,
              emailsRunning,
              String.format(
                  "%,d of %,d sent; %d running, 8 at most", sent, emailTotal, emailsRunning)));
    }
    return lines;
  }

  /** Adds the line of each tracked job of {@code kind}; false when there is none. */
  private boolean addJobLines(List<String> lines, String kind) {
    boolean any = false;
    for (DemoTracked t : tracked.values()) {
      if (t.kind.equals(kind)) {
        lines.add(jobLine(t));
        any = true;
      }
    }
    return any;
  }

  /** A job's line; a workflow step still waiting says what for. */
  private String jobLine(DemoTracked t) {
    Job job = t.latest;
    Workflow w = workflow;
    if (job.state() == JobState.WAITING && w != null && job.step() != null) {
      Workflow.Step st = DemoMonthEnd.step(w, job.step());
      if (st != null) {
        return DemoScreen.line(
            t.label,
            0,
            "waiting",
            "",
            "after "
                + String.join(" and ", st.after())
                + (st.onFailure() == dev.offload.Workflow.OnFailure.CONTINUE
                    ? ", succeeded or not"
                    : ""));
      }
    }
    return DemoScreen.jobLine(t.label, job, t.eta(Instant.now()));
  }

  // ---------------------------------------------------------------- for the summary

  /** The month-end workflow this run follows, as last read; null for a run without one. */
  Workflow workflow() {
    Workflow w = workflow;
    return w == null ? null : offload.workflow(new WorkflowId(w.id())).orElse(w);
  }

  /** The followed jobs as the store has them now, in the order they were followed. */
  List<Job> jobs() {
    List<Job> jobs = new ArrayList<>();
    for (DemoTracked t : tracked.values()) {
      jobs.add(offload.job(new JobId(t.id)).orElse(t.latest));
    }
    return jobs;
  }

  /** How long each stage of a job took, as watched here. */
  Map<String, Duration> stages(long id) {
    DemoTracked t = tracked.get(id);
    return t == null ? Map.of() : new LinkedHashMap<>(t.stageTook);
  }

  int emailTotal() {
    return emailTotal;
  }

  long emailsPending() {
    return emailsPending;
  }

  Instant started() {
    return started;
  }

  void close() {
    for (DemoTracked t : tracked.values()) {
      try {
        t.watch.close();
      } catch (Exception e) {
        // the watcher closes with the Offload anyway
      }
    }
  }

  /** 0.4s, 9.8s, 12s, 1m05s. */
  static String seconds(Duration d) {
    long ms = Math.max(0, d.toMillis());
    if (ms < 10_000) {
      return String.format("%.1fs", ms / 1000.0);
    }
    return DemoScreen.duration(d);
  }
}
