package dev.offload.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.EnqueueOptions;
import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.JobOptions.RetryPolicy;
import dev.offload.Offload;
import dev.offload.PermanentFailure;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What happens to a job across attempts (backoff, the last attempt, permanent failures, snoozes,
 * checkpoints, delays), on each store, run step by step with the test kit's clock instead of a
 * worker and waits: these tests were in {@code StoreContract} and waited on real backoffs.
 */
abstract class EngineSemanticsContract {
  record Note(String text) {}

  record Cursor(int page) {}

  final AtomicInteger calls = new AtomicInteger();
  final List<Integer> pagesProcessed = new CopyOnWriteArrayList<>();

  @OffloadSetup
  void handlers(Offload.Builder builder) {
    builder
        .register(
            "flaky",
            Note.class,
            (args, ctx) -> {
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("upstream said 500");
              }
              return null;
            },
            JobOptions.defaults().retryPolicy(RetryPolicy.fixed(Duration.ofMinutes(5))))
        .register(
            "bad",
            Note.class,
            (args, ctx) -> {
              throw new PermanentFailure("order 17 does not exist");
            },
            JobOptions.defaults().maxAttempts(5))
        .register(
            "always",
            Note.class,
            (args, ctx) -> {
              throw new IllegalStateException("attempt " + ctx.attempt());
            },
            JobOptions.defaults().maxAttempts(3))
        .register(
            "limited",
            Note.class,
            (args, ctx) -> {
              if (calls.incrementAndGet() <= 2) {
                ctx.snooze(Duration.ofSeconds(30)); // the upstream said 429
              }
              return "attempt " + ctx.attempt();
            },
            JobOptions.defaults().maxAttempts(1))
        .register(
            "paged",
            Note.class,
            (args, ctx) -> {
              int from = ctx.checkpoint(Cursor.class).map(c -> c.page() + 1).orElse(1);
              for (int page = from; page <= 10; page++) {
                pagesProcessed.add(page);
                ctx.checkpoint(new Cursor(page));
                if (page == 6 && ctx.attempt() == 1) {
                  throw new IllegalStateException("upstream went away at page 6");
                }
              }
              return null;
            })
        .register("later", Note.class, (args, ctx) -> null);
  }

  @Test
  void failedAttemptIsRetriedAfterItsBackoff(TestOffload offload) {
    JobId id = offload.enqueue("flaky", new Note("x"));
    assertThat(offload.drain()).isEqualTo(1);
    Job failed = offload.job(id);
    assertThat(failed.state()).isEqualTo(JobState.RETRYING);
    assertThat(failed.runAt()).isEqualTo(offload.clock().instant().plus(Duration.ofMinutes(5)));
    offload.clock().advance(Duration.ofMinutes(5).minusMillis(1));
    assertThat(offload.drain()).isZero();
    offload.clock().advance(Duration.ofMillis(1));
    assertThat(offload.drain()).isEqualTo(1);
    Job job = offload.job(id);
    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(job.attempt()).isEqualTo(2);
    assertThat(job.errors())
        .singleElement()
        .satisfies(e -> {
          assertThat(e.attempt()).isEqualTo(1);
          assertThat(e.errorClass()).isEqualTo(IllegalStateException.class.getName());
          assertThat(e.message()).isEqualTo("upstream said 500");
          assertThat(e.stackTrace()).contains("EngineSemanticsContract");
          assertThat(e.node()).isEqualTo(offload.offload().node());
        });
    assertThat(Duration.between(job.errors().get(0).at(), job.startedAt()))
        .isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void permanentFailureGoesStraightToDead(TestOffload offload) {
    JobId id = offload.enqueue("bad", new Note("x"));
    assertThat(offload.drain()).isEqualTo(1);
    Job job = offload.job(id);
    assertThat(job.state()).isEqualTo(JobState.DEAD);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.errors())
        .singleElement()
        .extracting(e -> e.message())
        .isEqualTo("order 17 does not exist");
  }

  @Test
  void jobIsDeadAfterItsLastAttempt(TestOffload offload) {
    JobId id = offload.enqueue("always", new Note("x"));
    offload.drain();
    // The default backoff: about 1 s, then 2 s (±20 %); an hour covers both.
    for (int i = 0; i < 2; i++) {
      assertThat(offload.job(id).state()).isEqualTo(JobState.RETRYING);
      offload.clock().advance(Duration.ofHours(1));
      offload.drain();
    }
    Job job = offload.job(id);
    assertThat(job.state()).isEqualTo(JobState.DEAD);
    assertThat(job.attempt()).isEqualTo(3);
    assertThat(job.errors())
        .extracting(e -> e.message())
        .containsExactly("attempt 1", "attempt 2", "attempt 3");
  }

  @Test
  void snoozeRunsTheJobAgainWithoutUsingAnAttempt(TestOffload offload) {
    JobId id = offload.enqueue("limited", new Note("x"));
    for (int i = 0; i < 2; i++) {
      assertThat(offload.drain()).isEqualTo(1);
      Job snoozed = offload.job(id);
      assertThat(snoozed.state()).isEqualTo(JobState.RETRYING);
      assertThat(snoozed.runAt()).isEqualTo(offload.clock().instant().plusSeconds(30));
      offload.clock().advance(Duration.ofSeconds(30));
    }
    assertThat(offload.drain()).isEqualTo(1);
    Job job = offload.job(id);
    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(calls.get()).isEqualTo(3);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.result().asText()).isEqualTo("attempt 1");
    assertThat(job.errors()).isEmpty();
  }

  @Test
  void retriedAttemptResumesFromTheCheckpoint(TestOffload offload) {
    JobId id = offload.enqueue("paged", new Note("x"));
    offload.drain();
    assertThat(offload.job(id).state()).isEqualTo(JobState.RETRYING);
    offload.clock().advance(Duration.ofHours(1));
    offload.drain();
    Job job = offload.job(id);
    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(job.attempt()).isEqualTo(2);
    assertThat(pagesProcessed).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    assertThat(job.checkpoint().get("page").asInt()).isEqualTo(10);
  }

  @Test
  void delayedJobWaitsForItsTime(TestOffload offload) {
    JobId id =
        offload.enqueue("later", new Note("x"), EnqueueOptions.none().delay(Duration.ofDays(2)));
    Job scheduled = offload.job(id);
    assertThat(scheduled.state()).isEqualTo(JobState.SCHEDULED);
    offload.clock().advance(Duration.ofDays(2).minusSeconds(1));
    assertThat(offload.drain()).isZero();
    offload.clock().advance(Duration.ofSeconds(1));
    assertThat(offload.drain()).isEqualTo(1);
    Job done = offload.job(id);
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.startedAt()).isEqualTo(scheduled.runAt());
  }
}
