package dev.offload.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.EnqueueOptions;
import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.JobOptions.RetryPolicy;
import dev.offload.Offload;
import dev.offload.Offload.Outcome;
import dev.offload.test.OffloadTest.Mode;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@OffloadTest(mode = Mode.INLINE)
class InlineModeTest {
  record Order(String id, int cents) {}

  record Receipt(String order, int cents) {}

  final List<String> ranOn = new CopyOnWriteArrayList<>();
  final AtomicInteger flakyCalls = new AtomicInteger();
  Offload self;

  @OffloadSetup
  void handlers(Offload.Builder builder) {
    builder
        .register(
            "orders.charge",
            Order.class,
            (args, ctx) -> {
              ranOn.add(Thread.currentThread().getName());
              return new Receipt(args.id(), args.cents());
            })
        .register(
            "orders.confirm",
            Order.class,
            (args, ctx) -> {
              // A handler that enqueues a follow-up: it runs inline too, inside this attempt.
              self.enqueue("orders.charge", args);
              return "confirmed " + args.id();
            })
        .register(
            "orders.flaky",
            Order.class,
            (args, ctx) -> {
              if (flakyCalls.incrementAndGet() == 1) {
                throw new IllegalStateException("payment gateway said 502");
              }
              return "charged on attempt " + ctx.attempt();
            },
            JobOptions.defaults().retryPolicy(RetryPolicy.fixed(Duration.ofMinutes(10))));
  }

  @Test
  void enqueueRunsTheHandlerOnTheCallingThreadBeforeItReturns(Offload offload) {
    JobId id = offload.enqueue("orders.charge", new Order("o-1", 1250));
    Job job = offload.job(id).orElseThrow();
    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(job.result().get("cents").asInt()).isEqualTo(1250);
    assertThat(ranOn).containsExactly(Thread.currentThread().getName());
  }

  @Test
  void runReturnsTheTypedResult(TestOffload offload) {
    Receipt receipt = offload.run("orders.charge", new Order("o-2", 99), Receipt.class);
    assertThat(receipt).isEqualTo(new Receipt("o-2", 99));
  }

  @Test
  void runOrDeferAnswersFinishedWithTheResult(Offload offload) throws Exception {
    Outcome<Receipt> outcome =
        offload.runOrDefer(
            "orders.charge", new Order("o-3", 5), Receipt.class, Duration.ofMillis(1));
    assertThat(outcome).isInstanceOf(Outcome.Finished.class);
    assertThat(((Outcome.Finished<Receipt>) outcome).result()).isEqualTo(new Receipt("o-3", 5));
  }

  @Test
  void jobsEnqueuedByAHandlerRunInlineToo(TestOffload offload) {
    self = offload.offload();
    offload.enqueue("orders.confirm", new Order("o-4", 10));
    assertThat(offload.jobs("orders.charge"))
        .singleElement()
        .extracting(Job::state)
        .isEqualTo(JobState.SUCCEEDED);
    assertThat(offload.jobs("orders.confirm").get(0).result().asText()).isEqualTo("confirmed o-4");
  }

  @Test
  void aFailedAttemptWaitsForItsBackoffUntilTheClockReachesIt(TestOffload offload) {
    JobId id = offload.enqueue("orders.flaky", new Order("o-5", 1));
    assertThat(offload.job(id).state()).isEqualTo(JobState.RETRYING);
    offload.clock().advance(Duration.ofMinutes(9));
    assertThat(offload.job(id).state()).isEqualTo(JobState.RETRYING);
    offload.clock().advance(Duration.ofMinutes(1));
    Job job = offload.job(id);
    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(job.result().asText()).isEqualTo("charged on attempt 2");
    assertThat(flakyCalls.get()).isEqualTo(2);
  }

  @Test
  void aDelayedJobRunsWhenTheClockReachesItsTime(TestOffload offload) {
    JobId id =
        offload.enqueue(
            "orders.charge", new Order("o-6", 1), EnqueueOptions.none().delay(Duration.ofHours(1)));
    assertThat(offload.job(id).state()).isEqualTo(JobState.SCHEDULED);
    assertThat(ranOn).isEmpty();
    offload.clock().advance(Duration.ofHours(1));
    assertThat(offload.job(id).state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void aJobEnqueuedInTheCallersTransactionRunsOnlyAfterItCommits(TestOffload offload)
      throws Exception {
    JobId id;
    try (Connection tx = offload.store().connectionOpen()) {
      tx.setAutoCommit(false);
      id = offload.offload().enqueue(tx, "orders.charge", new Order("o-7", 1));
      tx.commit();
    }
    assertThat(offload.job(id).state()).isEqualTo(JobState.AVAILABLE);
    assertThat(offload.drain()).isEqualTo(1);
    assertThat(offload.job(id).state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void resultsAreReadBackAsJson(TestOffload offload) {
    @SuppressWarnings("unchecked")
    Map<String, Object> receipt = offload.run("orders.charge", new Order("o-8", 7), Map.class);
    assertThat(receipt).containsEntry("order", "o-8");
  }
}
