package dev.offload.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.OffloadException.IdempotencyKeyConflictException;
import dev.offload.store.Store;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.Completion;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.JobStart;
import dev.offload.store.Store.LeasedJob;
import dev.offload.store.Store.StuckJob;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression tests of issue 11 ("Hardening") for the engine and the stores: each names what broke.
 * Run against real databases by {@code PostgresHardeningTest} and {@code SqliteHardeningTest}, the
 * same way as {@link StoreContract}.
 */
public abstract class HardeningContract {
  /** A store over a fresh, empty database (schema or file) that this test class owns. */
  protected abstract Store newStore();

  /** A plain JDBC connection to the same database, for the caller-owned transaction tests. */
  protected abstract Connection openConnection() throws Exception;

  /** Empties the store's tables between tests. */
  protected abstract void truncate() throws Exception;

  /** A store like {@link #newStore()} with as few connections as it can do with. */
  protected Store newSmallStore() {
    return newStore();
  }

  /** Whether the database holds U+0000 in JSON (SQLite does; PostgreSQL's jsonb does not). */
  protected abstract boolean holdsNulInJson();

  protected Store store;
  private final List<Offload> started = new ArrayList<>();

  record Note(String text) {}

  record Numbers(Map<String, Object> values) {}

  record Item(int n) {}

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
    store.migrate();
    truncate();
  }

  @AfterEach
  void closeStore() {
    for (Offload o : started) {
      o.stop();
    }
    started.clear();
    store.close();
  }

  // ---------------------------------------------------------------- fixtures

  protected Offload.Builder offload() {
    return Offload.builder()
        .store(store)
        .migrate(false)
        .pollInterval(Duration.ofMillis(50))
        .shutdownGrace(Duration.ofMillis(200));
  }

  protected Offload start(Offload.Builder builder) {
    Offload o = builder.build();
    o.start();
    started.add(o);
    return o;
  }

  protected Job awaitState(Offload o, JobId id, JobState state) {
    await().atMost(Duration.ofSeconds(30)).until(() -> o.job(id).orElseThrow().state() == state);
    return o.job(id).orElseThrow();
  }

  private int jobCount() {
    return store.jobList(JobQuery.all().limit(1000)).jobs().size();
  }

  // ---------------------------------------------------------------- 1: a completion the store
  // refuses

  @Test
  void oneResultTheStoreCannotHoldEndsOnlyItsOwnJobAndTheOthersRunOnce() {
    Map<Integer, AtomicInteger> runs = new java.util.concurrent.ConcurrentHashMap<>();
    String poison = "bad\u0000result";
    Offload o =
        start(
            offload()
                .queue("default", 16)
                .register(
                    "item",
                    Item.class,
                    (args, ctx) -> {
                      runs.computeIfAbsent(args.n(), k -> new AtomicInteger()).incrementAndGet();
                      return args.n() == 500 ? Map.of("text", poison) : Map.of("n", args.n());
                    }));
    List<JobRequest> batch = new ArrayList<>();
    for (int n = 0; n < 1000; n++) {
      batch.add(JobRequest.of("item", new Item(n)));
    }
    List<JobId> ids = o.enqueueAll(batch);
    JobId poisoned = ids.get(500);

    await().atMost(Duration.ofSeconds(60)).until(() -> finished(o) == 1000);
    assertThat(o.queues().get(0).count(JobState.SUCCEEDED))
        .isEqualTo(holdsNulInJson() ? 1000 : 999);
    assertThat(runs).hasSize(1000);
    assertThat(runs.values()).allMatch(c -> c.get() == 1);
    Job job = o.job(poisoned).orElseThrow();
    if (holdsNulInJson()) {
      // Stored exactly as returned: results are never altered.
      assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(job.result().get("text").asText()).isEqualTo(poison);
    } else {
      assertThat(job.state()).isEqualTo(JobState.DEAD);
      assertThat(job.result()).isNull();
      assertThat(job.errors()).hasSize(1);
      assertThat(job.errors().get(0).errorClass()).isEqualTo("dev.offload.ResultNotStorable");
      assertThat(job.errors().get(0).message())
          .isEqualTo("the result holds \\u0000, which PostgreSQL cannot store");
    }
  }

  private static long finished(Offload o) {
    return o.queues().stream()
        .mapToLong(
            q -> q.count(JobState.SUCCEEDED) + q.count(JobState.DEAD) + q.count(JobState.CANCELLED))
        .sum();
  }

  @Test
  void aResultOverTheSizeLimitEndsItsJobDeadSayingWhyAndTheOthersSucceed() {
    Offload o =
        start(
            offload()
                .maxResultBytes(1_000)
                .register(
                    "item",
                    Item.class,
                    (args, ctx) -> args.n() == 2 ? "x".repeat(2_000) : "small"));
    List<JobId> ids =
        o.enqueueAll(
            List.of(
                JobRequest.of("item", new Item(1)),
                JobRequest.of("item", new Item(2)),
                JobRequest.of("item", new Item(3))));

    Job big = awaitState(o, ids.get(1), JobState.DEAD);
    assertThat(big.result()).isNull();
    assertThat(big.errors().get(0).errorClass()).isEqualTo("dev.offload.ResultNotStorable");
    assertThat(big.errors().get(0).message())
        .isEqualTo(
            "the result is 2002 bytes of JSON, over the limit of 1000 bytes (maxResultBytes)");
    assertThat(awaitState(o, ids.get(0), JobState.SUCCEEDED).result().asText()).isEqualTo("small");
    assertThat(awaitState(o, ids.get(2), JobState.SUCCEEDED).attempt()).isEqualTo(1);
  }

  @Test
  void nulInErrorAndProgressTextIsReplacedAndTheJobsEndAsTheirHandlersSaid() {
    Offload o =
        start(
            offload()
                .register(
                    "fails",
                    Note.class,
                    (args, ctx) -> {
                      ctx.message("half\u0000way");
                      throw new dev.offload.PermanentFailure("bad\u0000input");
                    })
                .register(
                    "works",
                    Note.class,
                    (args, ctx) -> {
                      ctx.stage("st\u0000age", 10);
                      ctx.message("all\u0000done");
                      ctx.itemFailed("item-1", "upstream said \u0000");
                      return "ok";
                    }));
    JobId failed = o.enqueue("fails", new Note("x"));
    JobId worked = o.enqueue("works", new Note("y"));

    Job dead = awaitState(o, failed, JobState.DEAD);
    assertThat(dead.errors().get(0).message()).isEqualTo("bad\uFFFDinput");
    assertThat(dead.errors().get(0).errorClass()).isEqualTo("dev.offload.PermanentFailure");
    assertThat(dead.progress().message()).isEqualTo("half\uFFFDway");
    Job ok = awaitState(o, worked, JobState.SUCCEEDED);
    assertThat(ok.result().asText()).isEqualTo("ok");
    assertThat(ok.progress().message()).isEqualTo("all\uFFFDdone");
    assertThat(ok.progress().stage()).isEqualTo("st\uFFFDage");
    assertThat(ok.failedItems().items().get(0).error()).isEqualTo("upstream said \uFFFD");
  }

  // ---------------------------------------------------------------- 2: repeated keys in one batch

  @Test
  void enqueueAllWithAKeyRepeatedInTheBatchGivesOneJobPerKey() {
    Offload client = offload().register("k", Note.class, (a, c) -> null).build();
    EnqueueOptions k1 = EnqueueOptions.none().idempotencyKey("order-1").delay(Duration.ofHours(1));
    EnqueueOptions k2 = EnqueueOptions.none().idempotencyKey("order-2").delay(Duration.ofHours(1));
    List<JobId> ids =
        client.enqueueAll(
            List.of(
                JobRequest.of("k", new Note("a"), k1),
                JobRequest.of("k", new Note("b"), k2),
                JobRequest.of("k", new Note("a"), k1),
                JobRequest.of("k", new Note("plain")),
                JobRequest.of("k", new Note("b"), k2),
                JobRequest.of("k", new Note("a"), k1)));

    assertThat(ids).hasSize(6);
    assertThat(ids.get(2)).isEqualTo(ids.get(0));
    assertThat(ids.get(5)).isEqualTo(ids.get(0));
    assertThat(ids.get(4)).isEqualTo(ids.get(1));
    assertThat(List.of(ids.get(0), ids.get(1), ids.get(3))).doesNotHaveDuplicates();
    assertThat(jobCount()).isEqualTo(3);

    // A later batch repeating a stored key and a new one, each twice.
    EnqueueOptions k3 = EnqueueOptions.none().idempotencyKey("order-3").delay(Duration.ofHours(1));
    List<JobId> again =
        client.enqueueAll(
            List.of(
                JobRequest.of("k", new Note("a"), k1), JobRequest.of("k", new Note("c"), k3),
                JobRequest.of("k", new Note("c"), k3), JobRequest.of("k", new Note("a"), k1)));
    assertThat(again.get(0)).isEqualTo(ids.get(0));
    assertThat(again.get(3)).isEqualTo(ids.get(0));
    assertThat(again.get(2)).isEqualTo(again.get(1));
    assertThat(jobCount()).isEqualTo(4);
  }

  // ---------------------------------------------------------------- 3: key reused for another job

  @Test
  void idempotencyKeyReusedWithOtherKindOrArgsIsRefusedNamingTheKey() {
    Offload client =
        offload()
            .register("k", Numbers.class, (a, c) -> null)
            .register("other", Numbers.class, (a, c) -> null)
            .build();
    EnqueueOptions keyed =
        EnqueueOptions.none().idempotencyKey("invoice-77").delay(Duration.ofHours(1));
    JobId first = client.enqueue("k", Json.tree("{\"a\": 1, \"b\": [2, \"x\"]}"), keyed);

    // The same request (key order, spacing and number spelling aside) gets the stored job.
    assertThat(client.enqueue("k", Json.tree("{\"b\": [2.0, \"x\"], \"a\": 1}"), keyed))
        .isEqualTo(first);

    assertThatThrownBy(() -> client.enqueue("k", Json.tree("{\"a\": 2, \"b\": [2, \"x\"]}"), keyed))
        .isInstanceOf(IdempotencyKeyConflictException.class)
        .hasMessageContaining("invoice-77")
        .satisfies(
            e -> assertThat(((IdempotencyKeyConflictException) e).key()).isEqualTo("invoice-77"));
    assertThatThrownBy(
            () -> client.enqueue("other", Json.tree("{\"a\": 1, \"b\": [2, \"x\"]}"), keyed))
        .isInstanceOf(IdempotencyKeyConflictException.class)
        .hasMessageContaining("invoice-77")
        .hasMessageContaining("other");
    // Within one batch too; and nothing of a refused batch is written.
    EnqueueOptions fresh =
        EnqueueOptions.none().idempotencyKey("invoice-78").delay(Duration.ofHours(1));
    assertThatThrownBy(() ->
            client.enqueueAll(
                List.of(
                    JobRequest.of("k", Json.tree("{\"a\": 1}"), fresh),
                    JobRequest.of("k", Json.tree("{\"a\": 9}"), fresh))))
        .isInstanceOf(IdempotencyKeyConflictException.class)
        .hasMessageContaining("invoice-78");
    assertThatThrownBy(() ->
            client.enqueueAll(
                List.of(
                    JobRequest.of("k", Json.tree("{\"new\": true}")),
                    JobRequest.of("k", Json.tree("{\"a\": 3}"), keyed))))
        .isInstanceOf(IdempotencyKeyConflictException.class);
    assertThat(jobCount()).isEqualTo(1);
    assertThat(client.job(first).orElseThrow().args().get("a").asInt()).isEqualTo(1);
  }

  @Test
  void idempotencyKeyConflictInTheCallersTransactionLeavesNothingOfTheBatch() throws Exception {
    Offload client = offload().register("k", Numbers.class, (a, c) -> null).build();
    EnqueueOptions keyed =
        EnqueueOptions.none().idempotencyKey("tx-key").delay(Duration.ofHours(1));
    JobId first = client.enqueue("k", Json.tree("{\"a\": 1}"), keyed);
    try (Connection tx = openConnection()) {
      tx.setAutoCommit(false);
      JobId before = client.enqueue(tx, "k", Json.tree("{\"kept\": true}"));
      assertThatThrownBy(() ->
              client.enqueueAll(
                  tx,
                  List.of(
                      JobRequest.of("k", Json.tree("{\"lost\": true}")),
                      JobRequest.of("k", Json.tree("{\"a\": 2}"), keyed))))
          .isInstanceOf(IdempotencyKeyConflictException.class)
          .hasMessageContaining("tx-key");
      tx.commit();
      assertThat(client.job(before)).isPresent();
    }
    assertThat(jobCount()).isEqualTo(2);
    assertThat(client.job(first).orElseThrow().args().get("a").asInt()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- 4: lifecycle

  @Test
  void aStoppedNodeStartsAgainWithEveryServiceRunning() {
    Offload o =
        start(
            offload()
                .progressInterval(Duration.ofMillis(50))
                .register(
                    "step",
                    Note.class,
                    (args, ctx) -> {
                      // The progress reporter must be alive: the handler waits to see its message
                      // stored.
                      ctx.message("working on " + args.text());
                      await()
                          .atMost(Duration.ofSeconds(20))
                          .until(() ->
                              store
                                  .jobGet(ctx.id().value())
                                  .map(j ->
                                      j.progress() != null
                                          && ("working on " + args.text())
                                              .equals(j.progress().message()))
                                  .orElse(false));
                      return args.text();
                    }));
    assertThat(
            awaitState(o, o.enqueue("step", new Note("first")), JobState.SUCCEEDED)
                .result()
                .asText())
        .isEqualTo("first");

    o.stop();
    o.stop();
    o.start();
    assertThatThrownBy(o::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("started already");

    // The completer and the progress reporter run again: the job's progress and end are written.
    Job again = awaitState(o, o.enqueue("step", new Note("after a restart")), JobState.SUCCEEDED);
    assertThat(again.result().asText()).isEqualTo("after a restart");
    assertThat(again.attempt()).isEqualTo(1);
  }

  @Test
  void openingAndClosingFiftyTimesLeavesNoThreadBehind() throws Exception {
    store.close();
    long before = liveThreads();
    long offloadBefore = offloadThreads();
    AtomicInteger deaths = new AtomicInteger();
    for (int i = 0; i < 50; i++) {
      Offload o =
          offload()
              .store(newSmallStore())
              .shutdownGrace(Duration.ofMillis(100))
              .register("ok", Note.class, (a, c) -> a.text())
              .register(
                  "dies",
                  Note.class,
                  (a, c) -> {
                    throw new dev.offload.PermanentFailure("no");
                  })
              .listener(
                  new dev.offload.Offload.JobListener() {
                    @Override
                    public void onDead(Job job) {
                      deaths.incrementAndGet();
                    }
                  })
              .build();
      o.start();
      JobId ok = o.enqueue("ok", new Note("n" + i));
      JobId dies = o.enqueue("dies", new Note("n" + i));
      assertThat(o.await(ok, Duration.ofSeconds(30)).job().state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(o.await(dies, Duration.ofSeconds(30)).job().state()).isEqualTo(JobState.DEAD);
      o.close();
      o.close();
      assertThatThrownBy(o::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
    assertThat(deaths.get()).isEqualTo(50);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> {
          assertThat(offloadThreads())
              .as("threads named offload*: %s", offloadThreadNames())
              .isLessThanOrEqualTo(offloadBefore);
          assertThat(liveThreads()).isLessThanOrEqualTo(before + 5);
        });
    store = newStore();
  }

  private static List<String> offloadThreadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith("offload"))
        .toList();
  }

  private static long liveThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).count();
  }

  /**
   * Threads Offload names (engine, watcher, listener, notifier; HikariCP's pool is "offload" too).
   */
  private static long offloadThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("offload"))
        .count();
  }

  // ---------------------------------------------------------------- 26: claimed apart from running

  @Test
  void jobsClaimedAheadCountAsClaimedNotRunningAndStartWhenTheirHandlerDoes() {
    List<Long> ids = store.jobInsertMany(List.of(fixture("k"), fixture("k"), fixture("k")));
    List<ClaimedJob> claimed =
        store.jobClaim(
            StoreFixtures.claim(
                "default", List.of("k"), 10, "node-a", 7L, Instant.now(), Duration.ofMinutes(1)));
    assertThat(claimed).hasSize(3);

    dev.offload.Offload.QueueStats held = store.queueStats(Instant.now()).get(0);
    assertThat(held.count(JobState.RUNNING)).isEqualTo(3);
    assertThat(held.claimed()).isEqualTo(3);
    assertThat(held.running()).isZero();
    assertThat(ids)
        .allSatisfy(id -> assertThat(store.jobGet(id).orElseThrow().startedAt()).isNull());

    Instant handlerStarted = Instant.parse("2030-01-02T03:04:05.678Z");
    assertThat(
            store.jobStartMany(
                List.of(
                    new JobStart(ids.get(0), 7L, handlerStarted),
                    new JobStart(ids.get(1), 99L, handlerStarted))))
        .containsExactly(ids.get(0));
    // Written once: a second write of the same start changes nothing.
    assertThat(
            store.jobStartMany(
                List.of(new JobStart(ids.get(0), 7L, handlerStarted.plusSeconds(1)))))
        .isEmpty();
    dev.offload.Offload.QueueStats oneRuns = store.queueStats(Instant.now()).get(0);
    assertThat(oneRuns.claimed()).isEqualTo(2);
    assertThat(oneRuns.running()).isEqualTo(1);
    assertThat(store.jobGet(ids.get(0)).orElseThrow().startedAt()).isEqualTo(handlerStarted);

    // A job that ends before its start was written brings its start along.
    Instant quick = Instant.parse("2030-01-02T03:04:06.500Z");
    store.jobCompleteMany(
        List.of(
            StoreFixtures.completion(
                    ids.get(2),
                    7L,
                    JobState.SUCCEEDED,
                    quick.plusMillis(20),
                    null,
                    null,
                    null,
                    null)
                .startedAt(quick)));
    assertThat(store.jobGet(ids.get(2)).orElseThrow().startedAt()).isEqualTo(quick);
    assertThat(store.queueStats(Instant.now()).get(0).claimed()).isEqualTo(1);
  }

  private static JobInsert fixture(String kind) {
    Instant now = Instant.now().minusMillis(1);
    return StoreFixtures.job(kind, "default", 0, "{}", 3, JobState.AVAILABLE, now, now);
  }

  @Test
  void aRunningHandlersStartIsWrittenWhileItRuns() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Offload o =
        start(
            offload()
                .register(
                    "hold",
                    Note.class,
                    (a, ctx) -> {
                      release.await();
                      return null;
                    }));
    JobId id = o.enqueue("hold", new Note("x"));
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> {
            dev.offload.Offload.QueueStats q = o.queues().get(0);
            return q.running() == 1 && q.claimed() == 0;
          });
      assertThat(o.job(id).orElseThrow().startedAt()).isNotNull();
    } finally {
      release.countDown();
    }
    assertThat(awaitState(o, id, JobState.SUCCEEDED).startedAt()).isNotNull();
  }

  // ---------------------------------------------------------------- 27: advice on the whole time

  @Test
  void kindAdviceCountsEveryAttemptFromTheFirstStartNotOnlyTheLast() {
    AtomicInteger attempts = new AtomicInteger();
    Offload o =
        start(
            offload()
                .register(
                    "flaky",
                    Note.class,
                    (a, ctx) -> {
                      if (attempts.incrementAndGet() == 1) {
                        Thread.sleep(700);
                        throw new IllegalStateException("upstream timed out");
                      }
                      return "ok";
                    },
                    dev.offload.JobOptions.defaults()
                        .retryPolicy(dev.offload.JobOptions.RetryPolicy.immediate())));
    JobId id = o.enqueue("flaky", new Note("x"));
    assertThat(awaitState(o, id, JobState.SUCCEEDED).attempt()).isEqualTo(2);

    dev.offload.Offload.KindStats stats =
        o.kindStats(Duration.ofMillis(500)).stream()
            .filter(s -> s.kind().equals("flaky"))
            .findFirst()
            .orElseThrow();
    assertThat(stats.runs()).isEqualTo(1);
    assertThat(stats.p50Ms()).isGreaterThanOrEqualTo(700.0);
    assertThat(stats.advice()).isEqualTo("background");
    assertThat(stats.waitP50Ms()).isGreaterThanOrEqualTo(0.0).isLessThan(stats.p50Ms() + 60_000);
  }

  // ---------------------------------------------------------------- 5: an older attempt's end

  @Test
  void anOlderAttemptEndingDoesNotDropTheRecordOfANewerAttemptOnTheSameNode() throws Exception {
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    CountDownLatch secondStarted = new CountDownLatch(1);
    AtomicReference<Thread> firstThread = new AtomicReference<>();
    AtomicInteger runs = new AtomicInteger();
    AtomicReference<Boolean> secondSawCancel = new AtomicReference<>(false);
    ClaimTokens claims = new ClaimTokens(store);
    Offload o =
        start(
            offload()
                .store(claims.store())
                .heartbeatInterval(Duration.ofMillis(200))
                .register(
                    "hold",
                    Note.class,
                    (a, ctx) -> {
                      if (runs.incrementAndGet() == 1) {
                        firstThread.set(Thread.currentThread());
                        firstStarted.countDown();
                        // Ignores interrupts: this attempt outlives the loss of its lease.
                        while (true) {
                          try {
                            if (releaseFirst.await(10, TimeUnit.SECONDS)) {
                              return "first";
                            }
                          } catch (InterruptedException ignored) {
                            // keep running, as a handler that does not check would
                          }
                        }
                      }
                      secondStarted.countDown();
                      try {
                        new CountDownLatch(1).await();
                      } catch (InterruptedException e) {
                        secondSawCancel.set(ctx.isCancelled());
                        throw e;
                      }
                      return "second";
                    }));
    JobId id = o.enqueue("hold", new Note("x"));
    assertThat(firstStarted.await(30, TimeUnit.SECONDS)).isTrue();

    // The first attempt loses its job (as after a lease lost to a slow database): the job is
    // released and this node claims it again while the first attempt still runs.
    // (Its lease is ended by hand to read its token; the node's own heartbeat may renew it in
    // between.)
    AtomicReference<StuckJob> stuck = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> {
          store.jobHeartbeat(o.node(), List.of(claims.lease(id.value())), Duration.ofMillis(-1));
          store.jobGetStuck(10).stream().findFirst().ifPresent(stuck::set);
          return stuck.get() != null;
        });
    StuckJob lease = stuck.get();
    assertThat(
            store.jobReleaseMany(List.of(new LeasedJob(id.value(), lease.token())), Instant.now()))
        .isEqualTo(1);
    assertThat(secondStarted.await(30, TimeUnit.SECONDS)).isTrue();

    // The first attempt ends; its completion is stale and must leave the second attempt tracked.
    releaseFirst.countDown();
    firstThread.get().join(Duration.ofSeconds(30));
    assertThat(firstThread.get().isAlive()).isFalse();

    // Only a tracked attempt can be stopped: cancelling reaches the second attempt.
    assertThat(o.cancel(id)).isEqualTo(JobState.RUNNING);
    Job job = awaitState(o, id, JobState.CANCELLED);
    assertThat(secondSawCancel.get()).isTrue();
    assertThat(job.result()).isNull();
    assertThat(runs.get()).isEqualTo(2);
  }

  // ---------------------------------------------------------------- 6: a lease lost while the
  // database answers

  @Test
  void aNodeThatStalledPastItsLeaseStopsTheAttemptWhoseJobWasRescued() throws Exception {
    ClaimTokens claims = new ClaimTokens(store);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicReference<Boolean> sawCancel = new AtomicReference<>(false);
    Offload o =
        start(
            offload()
                .store(claims.store())
                .heartbeatInterval(Duration.ofMillis(200))
                .register(
                    "hold",
                    Note.class,
                    (a, ctx) -> {
                      started.countDown();
                      try {
                        new CountDownLatch(1).await();
                      } catch (InterruptedException e) {
                        sawCancel.set(ctx.isCancelled());
                        stopped.countDown();
                        throw e;
                      }
                      return null;
                    }));
    JobId id = o.enqueue("hold", new Note("x"));
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

    // The node stalls past its lease (a long pause) while the database answers: its lease lapses
    // and another node's rescuer takes the job back, to retry it in an hour. (The lapse is made by
    // hand; the node's own heartbeat may renew the lease in between, and then the rescue is refused
    // and tried again.)
    LeasedJob lease = claims.lease(id.value());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> {
          store.jobHeartbeat(o.node(), List.of(lease), Duration.ofMillis(-1));
          List<StuckJob> stuck = store.jobGetStuck(10);
          if (stuck.isEmpty()) {
            return false;
          }
          Instant now = Instant.now();
          Completion rescue =
              StoreFixtures.completion(
                  id.value(),
                  stuck.get(0).token(),
                  JobState.RETRYING,
                  now,
                  now.plus(Duration.ofHours(1)),
                  null,
                  null,
                  stuck.get(0).checkedAt());
          return !store.jobCompleteMany(List.of(rescue)).isEmpty();
        });

    // The node's next heartbeat succeeds without renewing that lease: the node notices and stops
    // the attempt (before, its handler ran on for good beside the job's next attempt).
    assertThat(stopped.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(sawCancel.get()).isTrue();
    Job job = o.job(id).orElseThrow();
    assertThat(job.state()).isEqualTo(JobState.RETRYING);
    assertThat(job.attempt()).isEqualTo(1);
  }

  /** JSON trees for args, so a test controls the exact text. */
  static final class Json {
    static com.fasterxml.jackson.databind.JsonNode tree(String json) {
      return dev.offload.internal.Json.tree(json);
    }
  }
}
