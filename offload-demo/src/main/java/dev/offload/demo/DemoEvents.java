package dev.offload.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job;
import dev.offload.Job.JobError;
import dev.offload.Job.JobState;
import dev.offload.Job.Progress;
import java.time.Duration;
import java.time.Instant;

/**
 * The demo's events, the lines above the progress block: each comes from comparing a followed job
 * with how it looked at the previous tick. A workflow step released by its last dependency, a stage
 * finished, a page retried in the handler, a snooze on HTTP 429, a failed attempt, the end.
 * Repeated snoozes and retries are summed up at most every {@value #REPEAT_EVERY_SECONDS} s.
 *
 * <p>Not thread-safe: {@link DemoRun}'s one thread calls it.
 */
final class DemoEvents {
  private static final int REPEAT_EVERY_SECONDS = 5;

  private final DemoScreen screen;

  DemoEvents(DemoScreen screen) {
    this.screen = screen;
  }

  /** Reports what changed in {@code job} since {@code t.seen}. */
  void observe(DemoTracked t, Job job, Instant now) {
    Job before = t.seen;
    if (before != null
        && before.state() == JobState.WAITING
        && job.state() != JobState.WAITING
        && job.state() != JobState.CANCELLED) {
      // The completion of its last dependency made it available, in the same transaction.
      screen.event(t.label + ": released by the last step it waits for; it runs now");
    }
    Progress p = job.progress();
    if (before == null && p != null) {
      // What happened before this run watched the job is history, not news.
      for (Progress.StageProgress s : p.stages()) {
        if (s.durationMs() != null) {
          t.stageTook.put(s.name(), Duration.ofMillis(s.durationMs()));
        }
      }
    }
    if (p != null && p.stage() != null && job.state() == JobState.RUNNING) {
      t.stageSeen.putIfAbsent(p.stage(), now);
    }
    if (p != null) {
      for (Progress.StageProgress s : p.stages()) {
        if (s.durationMs() != null && !t.stageTook.containsKey(s.name())) {
          Instant seen = t.stageSeen.get(s.name());
          Duration took =
              seen != null ? Duration.between(seen, now) : Duration.ofMillis(s.durationMs());
          t.stageTook.put(s.name(), took);
          screen.event(t.label + ": stage " + s.name() + " done in " + DemoRun.seconds(took));
        }
      }
    }
    JsonNode cp = job.checkpoint();
    int snoozes = cp == null ? 0 : cp.path("snoozes").asInt();
    int retries = cp == null ? 0 : cp.path("pageRetries").asInt();
    if (before == null) {
      t.snoozesShown = snoozes;
      t.retriesShown = retries;
    } else {
      repeated(t, snoozes, retries, cp, now, /* force= */ job.state().isFinal());
      for (int i = before.errors().size(); i < job.errors().size(); i++) {
        failedAttempt(t, job, job.errors().get(i));
      }
    }
    if (before != null && !before.state().isFinal() && job.state().isFinal()) {
      ended(t, job);
    }
  }

  private void repeated(
      DemoTracked t, int snoozes, int retries, JsonNode cp, Instant now, boolean force) {
    boolean first = t.snoozesShown == 0 && snoozes > 0 || t.retriesShown == 0 && retries > 0;
    if (snoozes == t.snoozesShown && retries == t.retriesShown) {
      return;
    }
    if (!first && !force && now.isBefore(t.repeatShownAt.plusSeconds(REPEAT_EVERY_SECONDS))) {
      return;
    }
    if (snoozes > t.snoozesShown) {
      int n = snoozes - t.snoozesShown;
      screen.event(
          t.label
              + ": "
              + (n == 1 && t.snoozesShown == 0
                  ? "HTTP 429"
                      + (cp.has("page")
                          ? String.format(
                              " at %s %,d",
                              DemoSync.REPLAY.equals(cp.path("stage").asText()) ? "item" : "page",
                              cp.path("page").asInt() + 1)
                          : "")
                      + ": snoozed, so it runs again from its checkpoint without using an attempt"
                  : String.format(
                      "%d more snooze%s on HTTP 429 (%d in all)", n, n == 1 ? "" : "s", snoozes)));
    }
    if (retries > t.retriesShown) {
      int n = retries - t.retriesShown;
      screen.event(
          String.format(
              "%s: %d page request%s retried in the handler after HTTP 500 (%d in all)",
              t.label, n, n == 1 ? "" : "s", retries));
    }
    t.snoozesShown = snoozes;
    t.retriesShown = retries;
    t.repeatShownAt = now;
  }

  private void failedAttempt(DemoTracked t, Job job, JobError e) {
    String next;
    if (job.state() == JobState.DEAD) {
      next = "no attempts left";
    } else if (job.state() == JobState.RETRYING
        || job.state() == JobState.AVAILABLE
        || job.state() == JobState.RUNNING) {
      Duration wait = Duration.between(e.at(), job.runAt());
      next =
          "attempt "
              + (e.attempt() + 1)
              + " of "
              + job.maxAttempts()
              + (wait.isNegative() || wait.isZero() ? " now" : " in " + DemoRun.seconds(wait));
    } else {
      next = job.state().wireName();
    }
    String why =
        e.message() != null
            ? e.message()
            : e.errorClass().substring(e.errorClass().lastIndexOf('.') + 1);
    screen.event(t.label + ": attempt " + e.attempt() + " failed (" + why + "); " + next);
  }

  private void ended(DemoTracked t, Job job) {
    String took =
        DemoRun.seconds(
            Duration.between(
                DemoScreen.since(job),
                job.finishedAt() != null ? job.finishedAt() : Instant.now()));
    JsonNode r = job.result();
    String what =
        switch (job.state()) {
          case SUCCEEDED ->
              switch (t.kind) {
                case DemoKinds.SYNC ->
                    String.format(
                            "succeeded in %s: %,d orders imported, %,d broken",
                            took, r.path("imported").asLong(), r.path("broken").asLong())
                        + (r.hasNonNull("reportJob")
                            ? "; it enqueued report #"
                                + r.path("reportJob").asLong()
                                + " and reconciliation #"
                                + r.path("reconcileJob").asLong()
                            : "");
                case DemoKinds.REPORT -> "succeeded in " + took + ": " + r.path("path").asText();
                case DemoKinds.RECONCILE ->
                    String.format(
                        "succeeded in %s: %d of %d months match the upstream",
                        took, r.path("matched").asInt(), r.path("months").asInt());
                case DemoKinds.NOTIFY ->
                    "succeeded: emailed "
                        + r.path("to").asText()
                        + " \""
                        + r.path("subject").asText()
                        + "\"";
                default -> "succeeded in " + took;
              };
          case DEAD -> "is dead after " + job.attempt() + " attempts";
          case CANCELLED ->
              job.step() != null
                  ? "was cancelled: a step it waits for did not succeed"
                  : "was cancelled";
          default -> "was " + job.state().wireName();
        };
    screen.event(t.label + " " + what);
  }
}
