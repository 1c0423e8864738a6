package dev.offload.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.Enqueued;
import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.Offload;
import dev.offload.Offload.QueueStats;
import dev.offload.QueueOptions;
import dev.offload.QueueOptions.Rate;
import dev.offload.store.Store;
import dev.offload.store.Store.ClaimParams;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.JobInsert;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Flow control as every store must enforce it (issue 13): queue settings, limits across claimers,
 * per-key limits, rates, fairness, aging and unique jobs. Run against real databases by {@code
 * PostgresFlowControlTest} and {@code SqliteFlowControlTest}. Times are passed explicitly (the
 * store's {@code now} parameters), so nothing here waits on a clock.
 */
public abstract class FlowControlContract {
  /** A store over a database (schema or file) that this test class owns. */
  protected abstract Store newStore();

  /** Empties the store's jobs, queues and rates between tests. */
  protected abstract void truncate() throws Exception;

  protected Store store;
  private Offload offload;
  private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
    store.migrate();
    truncate();
    offload = Offload.builder().store(store).migrate(false).build();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  // ---------------------------------------------------------------- fixtures

  private long insert(String queue, String key) {
    return insert(queue, key, 0, t0.minusSeconds(1));
  }

  private long insert(String queue, String key, int priority, Instant runAt) {
    return store.jobInsertMany(List.of(job(queue, key, priority, runAt))).get(0);
  }

  private JobInsert job(String queue, String key) {
    return job(queue, key, 0, t0.minusSeconds(1));
  }

  private JobInsert job(String queue, String key, int priority, Instant runAt) {
    return StoreFixtures.keyed(queue, key, priority, runAt, t0);
  }

  private List<ClaimedJob> claim(String queue, int limit, Instant now, String node) {
    return claim(queue, limit, now, node, Duration.ofSeconds(30));
  }

  private List<ClaimedJob> claim(
      String queue, int limit, Instant now, String node, Duration lease) {
    return store.jobClaim(
        new ClaimParams(
            queue, List.of("k"), limit, node, 7L, now, lease, offload.queueOptions(queue)));
  }

  private List<ClaimedJob> claim(String queue, int limit, Instant now) {
    return claim(queue, limit, now, "node-a");
  }

  private void succeed(ClaimedJob job, Instant at) {
    assertThat(
            store.jobCompleteMany(
                List.of(
                    StoreFixtures.completion(
                        job.id(), job.token(), JobState.SUCCEEDED, at, null, null, null, null))))
        .containsExactly(job.id());
  }

  // ---------------------------------------------------------------- settings

  @Test
  void queueSettingsAreStoredForEveryNodeAndCodeDefaultsNeverOverwriteThem() {
    QueueOptions operator =
        QueueOptions.none()
            .maxRunning(4)
            .perKey(1)
            .rate(Rate.parse("10/s"))
            .ratePerKey(true)
            .fair(true)
            .aging(Duration.ofMinutes(5));
    offload.updateQueue("sync", operator);
    assertThat(offload.queueOptions("sync")).isEqualTo(operator);

    // A node starting later with other defaults keeps what the operator set.
    try (Offload later =
        Offload.builder()
            .store(newStore())
            .migrate(false)
            .queue("sync", QueueOptions.none().maxRunning(99))
            .queue("mail", QueueOptions.none().maxRunning(2))
            .build()) {
      assertThat(later.queueOptions("sync")).isEqualTo(operator);
      assertThat(later.queueOptions("mail")).isEqualTo(QueueOptions.none().maxRunning(2));
    }
    assertThat(offload.queueOptions("other")).isEqualTo(QueueOptions.none());
    assertThat(offload.queueOptions()).containsOnlyKeys("sync", "mail");
  }

  @Test
  void pausingAQueueKeepsItsLimitsAndAPausedOnlyQueueStillTakesCodeDefaults() {
    offload.pauseQueue("reports");
    try (Offload node =
        Offload.builder()
            .store(newStore())
            .migrate(false)
            .queue("reports", QueueOptions.none().maxRunning(3))
            .build()) {
      assertThat(node.queueOptions("reports").maxRunning()).isEqualTo(3);
    }
    offload.resumeQueue("reports");
    assertThat(offload.queueOptions("reports").maxRunning()).isEqualTo(3);
    offload.updateQueue("reports", QueueOptions.none());
    assertThat(offload.queueOptions("reports")).isEqualTo(QueueOptions.none());
  }

  @Test
  void badSettingsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> Rate.parse("0/s")).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> Rate.parse("10/fortnight")).hasMessageContaining("fortnight");
    assertThatThrownBy(() -> QueueOptions.none().perKey(-1)).hasMessageContaining("perKey");
    assertThatThrownBy(() -> QueueOptions.none().maxRunning(0)).hasMessageContaining("maxRunning");
    assertThatThrownBy(() -> QueueOptions.none().ratePerKey(true))
        .hasMessageContaining("ratePerKey needs a rate");
    assertThat(Rate.parse("600/min")).isEqualTo(Rate.perMinute(600));
    assertThat(Rate.parse("5000/h").toString()).isEqualTo("5000/h");
  }

  // ---------------------------------------------------------------- limits

  private int slots(String queue, String node, int wanted, int bound) {
    return slots(queue, node, wanted, bound, Duration.ofSeconds(30));
  }

  private int slots(String queue, String node, int wanted, int bound, Duration lease) {
    Store.SlotGrant grant =
        store.queueSlots(new Store.SlotRequest(queue, node, wanted, bound, lease));
    assertThat(grant.maxRunning()).isEqualTo(offload.queueOptions(queue).maxRunning());
    return grant.allowed();
  }

  @Test
  void aQueueLimitIsSharedOutAsLeasesThatNeverAddUpToMoreThanIt() {
    offload.updateQueue("sync", QueueOptions.none().maxRunning(4));
    assertThat(slots("sync", "node-a", 3, 0)).isEqualTo(3);
    assertThat(slots("sync", "node-b", 3, 0)).as("what node-a leaves").isEqualTo(1);
    // node-b wants more than it holds: node-a, asking again, is held to its share of two; but it
    // may still be running three until it says otherwise, so its lease keeps counting them.
    assertThat(slots("sync", "node-a", 3, 3)).isEqualTo(2);
    assertThat(slots("sync", "node-b", 3, 1)).isEqualTo(1);
    assertThat(flowOf("sync").slotsInUse()).isEqualTo(4);
    // node-a now runs two: the slot it gave back goes to node-b.
    assertThat(slots("sync", "node-a", 3, 2)).isEqualTo(2);
    assertThat(slots("sync", "node-b", 3, 1)).isEqualTo(2);
    // node-a has nothing left to run: its lease is deleted, and node-b may take all four.
    assertThat(slots("sync", "node-a", 0, 0)).isZero();
    assertThat(slots("sync", "node-b", 4, 2)).isEqualTo(4);
    assertThat(flowOf("sync").slotsInUse()).isEqualTo(4);
    assertThat(slots("sync", "node-c", 1, 0)).as("node-b holds them all").isZero();
    store.queueSlotsRelease("sync", "node-b");
    assertThat(slots("sync", "node-c", 1, 0)).isEqualTo(1);

    // Without a limit (any more), nothing is leased and the node runs by its own threads.
    offload.updateQueue("sync", QueueOptions.none());
    assertThat(
            store.queueSlots(new Store.SlotRequest("sync", "node-c", 1, 1, Duration.ofSeconds(30))))
        .isEqualTo(new Store.SlotGrant(0, null));
    offload.updateQueue("sync", QueueOptions.none().maxRunning(1));
    assertThat(slots("sync", "node-a", 1, 0)).as("node-c's lease went with the limit").isEqualTo(1);
  }

  @Test
  void aLoweredLimitIsHeldToAsTheNodesReportTheirJobsEnded() {
    offload.updateQueue("sync", QueueOptions.none().maxRunning(6));
    assertThat(slots("sync", "node-a", 6, 0)).isEqualTo(6);
    offload.updateQueue("sync", QueueOptions.none().maxRunning(2));
    // Six may still run on node-a: it may start none until fewer than two run, and its lease
    // counts the six.
    assertThat(slots("sync", "node-a", 6, 6)).isEqualTo(2);
    assertThat(slots("sync", "node-b", 1, 0)).isZero();
    // Two run now; node-b wants one, so node-a is held to its share of one.
    assertThat(slots("sync", "node-a", 6, 2)).isEqualTo(1);
    assertThat(slots("sync", "node-b", 1, 0)).as("node-a may still run two").isZero();
    assertThat(slots("sync", "node-a", 6, 1)).isEqualTo(1);
    assertThat(slots("sync", "node-b", 1, 0)).isEqualTo(1);
  }

  @Test
  void aNodeUnderAQueueLimitRunsNoMoreThanItsSlotsAndHandsThemFromJobToJob() {
    offload.updateQueue("lim", QueueOptions.none().maxRunning(2));
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ids.add(
          offload.enqueue(
              "lim.job", new TenantArgs(i), EnqueueOptions.none().allowUnknownKind().queue("lim")));
    }
    java.util.concurrent.atomic.AtomicInteger running =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger mostAtOnce =
        new java.util.concurrent.atomic.AtomicInteger();
    Set<Long> ran = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.atomic.AtomicInteger twice =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicLong leasedWhileRunning =
        new java.util.concurrent.atomic.AtomicLong();
    try (Offload worker =
        Offload.builder()
            .store(newStore())
            .migrate(false)
            // Long enough that the poll cannot be what starts the successors.
            .pollInterval(Duration.ofSeconds(30))
            .register(
                "lim.job",
                TenantArgs.class,
                (args, ctx) -> {
                  mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                  if (!ran.add(ctx.id().value())) {
                    twice.incrementAndGet();
                  }
                  if (args.tenant() == 20) {
                    leasedWhileRunning.set(flowOf("lim").slotsInUse());
                  }
                  Thread.sleep(5); // work long enough for a third job to overlap, were it let
                  running.decrementAndGet();
                  return null;
                },
                JobOptions.defaults().queue("lim"))
            // More threads than the limit: the slots, not the threads, bound what runs.
            .queue("lim", 4)
            .build()) {
      worker.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() ->
              ids.stream()
                  .allMatch(
                      id -> store.jobGet(id.value()).orElseThrow().state() == JobState.SUCCEEDED));
    }
    assertThat(mostAtOnce.get()).isEqualTo(2);
    assertThat(twice.get()).isZero();
    assertThat(ran).hasSize(40);
    assertThat(leasedWhileRunning.get()).as("the lease, while jobs ran").isEqualTo(2);
    assertThat(flowOf("lim").slotsInUse()).as("given back at shutdown").isZero();
  }

  @Test
  void aSlotHeldByANodeThatDiedComesBackWhenItsLeaseLapses() {
    offload.updateQueue("sync", QueueOptions.none().maxRunning(1));
    // node-a leases the slot for a second and is never heard of again.
    assertThat(slots("sync", "node-a", 1, 0, Duration.ofSeconds(1))).isEqualTo(1);
    assertThat(slots("sync", "node-b", 1, 0)).isZero();
    // Nothing gave it back: the slot is free because the lease lapsed, not because a counter was
    // fixed.
    await().atMost(Duration.ofSeconds(30)).until(() -> slots("sync", "node-b", 1, 0) == 1);
    assertThat(slots("sync", "node-a", 1, 0)).isZero();
  }

  @Test
  void perKeyLimitLetsOneJobOfEachKeyRunAndKeysRunInParallel() {
    offload.updateQueue("sync", QueueOptions.none().perKey(1));
    for (String key : List.of("tenant:1", "tenant:2", "tenant:3")) {
      for (int i = 0; i < 3; i++) {
        insert("sync", key);
      }
    }
    long unkeyed = insert("sync", null);
    List<ClaimedJob> first = claim("sync", 10, t0);
    assertThat(first).hasSize(4);
    assertThat(first.stream().map(j -> concurrencyKey(j.id())).toList())
        .containsExactlyInAnyOrder("tenant:1", "tenant:2", "tenant:3", null);
    assertThat(first).extracting(ClaimedJob::id).contains(unkeyed);
    assertThat(claim("sync", 10, t0)).isEmpty();

    ClaimedJob tenant2 =
        first.stream()
            .filter(j -> "tenant:2".equals(concurrencyKey(j.id())))
            .findFirst()
            .orElseThrow();
    succeed(tenant2, t0);
    List<ClaimedJob> next = claim("sync", 10, t0);
    assertThat(next).hasSize(1);
    assertThat(concurrencyKey(next.get(0).id())).isEqualTo("tenant:2");
  }

  @Test
  void aPerKeyLimitOfOneReachesKeysBehindAnotherKeysBacklogInOneClaim() {
    offload.updateQueue("sync", QueueOptions.none().perKey(1));
    // A claim reads runnable rows in claim order a window at a time (a few times its limit): a
    // backlog of one key longer than the window must not hide the keys behind it.
    List<JobInsert> backlog = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      backlog.add(job("sync", "tenant:A"));
    }
    List<Long> a = store.jobInsertMany(backlog);
    long b = insert("sync", "tenant:B");
    long unkeyed = insert("sync", null);
    long c = insert("sync", "tenant:C");

    assertThat(claim("sync", 3, t0))
        .extracting(ClaimedJob::id)
        .containsExactly(a.get(0), b, unkeyed);
    assertThat(claim("sync", 10, t0)).extracting(ClaimedJob::id).containsExactly(c);
  }

  @Test
  void perKeyLimitAboveOneAndMaxRunningTogether() {
    offload.updateQueue("sync", QueueOptions.none().perKey(2).maxRunning(3));
    for (int i = 0; i < 4; i++) {
      insert("sync", "a");
      insert("sync", "b");
    }
    // The node sizes its claim by its slots of the queue limit; the keys share them.
    List<ClaimedJob> first = claim("sync", 3, t0);
    assertThat(first).hasSize(3);
    List<String> keys = first.stream().map(j -> concurrencyKey(j.id())).toList();
    assertThat(keys.stream().filter("a"::equals).count()).isBetween(1L, 2L);
    assertThat(keys.stream().filter("b"::equals).count()).isBetween(1L, 2L);
  }

  @Test
  void theLockFreeClaimTakesNothingFromAQueueWithLimitsItDoesNotKnowAbout() {
    offload.updateQueue("sync", QueueOptions.none().maxRunning(1));
    insert("sync", null);
    insert("sync", null);
    insert("sync", null);
    // A node whose copy of the settings predates the limit (it would not lease slots).
    assertThat(
            store.jobClaim(
                StoreFixtures.claim(
                    "sync", List.of("k"), 10, "stale", 1L, t0, Duration.ofSeconds(30))))
        .isEmpty();
    // One that knows claims lock-free, as many as it asks for (its slots decide how many).
    assertThat(claim("sync", 1, t0)).hasSize(1);
    // Nor does a node that knows only the queue limit claim from a queue that now has a per-key
    // limit: that one is the locked claim's.
    offload.updateQueue("sync", QueueOptions.none().perKey(1));
    assertThat(
            store.jobClaim(
                new ClaimParams(
                    "sync",
                    List.of("k"),
                    10,
                    "n",
                    1L,
                    t0,
                    Duration.ofSeconds(30),
                    QueueOptions.none().maxRunning(1))))
        .isEmpty();
    // And a node that still thinks a queue is limited claims normally once the limit is gone.
    offload.updateQueue("sync", QueueOptions.none());
    assertThat(
            store.jobClaim(
                new ClaimParams(
                    "sync",
                    List.of("k"),
                    10,
                    "n",
                    1L,
                    t0,
                    Duration.ofSeconds(30),
                    QueueOptions.none().maxRunning(1))))
        .hasSize(2);
  }

  @Test
  void aPausedLimitedQueueIsNotClaimed() {
    offload.updateQueue("sync", QueueOptions.none().maxRunning(5));
    insert("sync", null);
    offload.pauseQueue("sync");
    assertThat(claim("sync", 10, t0)).isEmpty();
    offload.resumeQueue("sync");
    assertThat(claim("sync", 10, t0)).hasSize(1);
  }

  // ---------------------------------------------------------------- why it waits

  @Test
  void aJobHeldBackByTheQueueLimitSaysWhyAndStopsWaitingWhenASlotFrees() {
    offload.updateQueue("sync", QueueOptions.none().maxRunning(1));
    long first = insert("sync", null);
    long second = insert("sync", null);
    assertThat(offload.job(new JobId(second)).orElseThrow().waiting())
        .as("nothing runs yet: the job is not held back")
        .isNull();
    assertThat(slots("sync", "node-a", 1, 0)).isEqualTo(1);
    List<ClaimedJob> claimed = claim("sync", 1, t0);
    assertThat(claimed).extracting(ClaimedJob::id).containsExactly(first);
    assertThat(offload.job(new JobId(second)).orElseThrow().waiting())
        .isEqualTo("waiting: queue sync at its limit of 1");
    assertThat(offload.job(new JobId(first)).orElseThrow().waiting()).isNull();
    QueueStats.Flow flow = flowOf("sync");
    assertThat(flow.slotsInUse()).isEqualTo(1);
    assertThat(flow.waitingOnQueueLimit()).isEqualTo(1);
    assertThat(flow.waiting()).isEqualTo(1);

    succeed(claimed.get(0), t0);
    assertThat(slots("sync", "node-a", 0, 0)).isZero();
    assertThat(offload.job(new JobId(second)).orElseThrow().waiting()).isNull();
    assertThat(flowOf("sync")).isEqualTo(QueueStats.Flow.none());
  }

  @Test
  void aJobHeldBackByItsKeySaysWhichKeyWhileOtherKeysAreNotHeld() {
    offload.updateQueue("tenants", QueueOptions.none().perKey(1));
    insert("tenants", "tenant:42");
    long next42 = insert("tenants", "tenant:42");
    long also42 = insert("tenants", "tenant:42");
    insert("tenants", "tenant:7");
    assertThat(claim("tenants", 10, t0)).hasSize(2);
    long tenant9 = insert("tenants", "tenant:9");
    long unkeyed = insert("tenants", null);

    assertThat(offload.job(new JobId(next42)).orElseThrow().waiting())
        .isEqualTo("waiting: key tenant:42 at its limit of 1");
    assertThat(offload.job(new JobId(tenant9)).orElseThrow().waiting()).isNull();
    assertThat(offload.job(new JobId(unkeyed)).orElseThrow().waiting()).isNull();
    QueueStats.Flow flow = flowOf("tenants");
    assertThat(flow.slotsInUse()).isEqualTo(2);
    assertThat(flow.keysAtLimit()).isEqualTo(2);
    assertThat(flow.waitingOnKeyLimit()).as("the two more of tenant:42").isEqualTo(2);
    assertThat(flow.waitingOnQueueLimit()).isZero();
    assertThat(also42).isNotEqualTo(next42);
  }

  @Test
  void aJobHeldBackByARateSaysWhichRate() {
    offload.updateQueue("api", QueueOptions.none().rate(Rate.perMinute(1)));
    for (int i = 0; i < 4; i++) {
      insert("api", null);
    }
    assertThat(claim("api", 10, t0)).hasSize(2);
    long held = insert("api", null);
    assertThat(offload.job(new JobId(held)).orElseThrow().waiting())
        .isEqualTo("waiting: rate 1/min");
    assertThat(flowOf("api").waitingOnRate()).isEqualTo(3);

    offload.updateQueue("keyed", QueueOptions.none().rate(Rate.perMinute(1)).ratePerKey(true));
    for (int i = 0; i < 3; i++) {
      insert("keyed", "a");
    }
    assertThat(claim("keyed", 10, t0)).hasSize(2);
    long b = insert("keyed", "b");
    long a = insert("keyed", "a");
    assertThat(offload.job(new JobId(a)).orElseThrow().waiting())
        .isEqualTo("waiting: rate 1/min of key a");
    assertThat(offload.job(new JobId(b)).orElseThrow().waiting()).isNull();
    assertThat(flowOf("keyed").waitingOnRate()).as("a's two, not b's").isEqualTo(2);
  }

  @Test
  void aJobOfAPausedQueueSaysSoAndAJobNotDueYetIsNotHeld() {
    offload.updateQueue("reports", QueueOptions.none().maxRunning(5));
    long due = insert("reports", null);
    long later = insert("reports", null, 0, Instant.now().plus(Duration.ofHours(1)));
    offload.pauseQueue("reports");
    assertThat(offload.job(new JobId(due)).orElseThrow().waiting())
        .isEqualTo("waiting: queue reports is paused");
    assertThat(offload.job(new JobId(later)).orElseThrow().waiting()).isNull();
    assertThat(flowOf("reports").waitingPaused()).isEqualTo(1);
    offload.resumeQueue("reports");
    assertThat(offload.job(new JobId(due)).orElseThrow().waiting()).isNull();

    // A queue without flow control never holds a job back.
    long free = insert("free", null);
    assertThat(offload.job(new JobId(free)).orElseThrow().waiting()).isNull();
    assertThat(flowOf("free")).isEqualTo(QueueStats.Flow.none());
  }

  private QueueStats.Flow flowOf(String queue) {
    return offload.queues().stream()
        .filter(q -> q.name().equals(queue))
        .findFirst()
        .orElseThrow()
        .flow();
  }

  // ---------------------------------------------------------------- keys derived in code

  /** The args of kind {@code tenant.sync}. */
  public record TenantArgs(int tenant) {}

  @Test
  void aKindDerivesTheConcurrencyKeyFromItsTypedArgsUnlessTheEnqueueGivesOne() {
    try (Offload node =
        Offload.builder()
            .store(newStore())
            .migrate(false)
            .register(
                "tenant.sync",
                TenantArgs.class,
                (args, ctx) -> null,
                JobOptions.defaults()
                    .queue("tenants")
                    .concurrencyKey((TenantArgs args) ->
                        args.tenant() < 0
                            ? null
                            : "x".repeat(Math.max(0, args.tenant() - 1000))
                                + "tenant:"
                                + args.tenant()))
            .build()) {
      JobId fromRecord = node.enqueue("tenant.sync", new TenantArgs(42));
      // Args given as JSON (as HTTP and the CLI give them) are read as the kind's type first.
      JobId fromJson =
          node.enqueue("tenant.sync", dev.offload.internal.Json.tree("{\"tenant\": 7}"));
      JobId explicit =
          node.enqueue(
              "tenant.sync", new TenantArgs(42), EnqueueOptions.none().concurrencyKey("vip"));
      JobId none = node.enqueue("tenant.sync", new TenantArgs(-1));
      assertThat(concurrencyKey(fromRecord.value())).isEqualTo("tenant:42");
      assertThat(concurrencyKey(fromJson.value())).isEqualTo("tenant:7");
      assertThat(concurrencyKey(explicit.value())).isEqualTo("vip");
      assertThat(concurrencyKey(none.value())).isNull();

      // The derived key is what the per-key limit counts.
      node.updateQueue("tenants", QueueOptions.none().perKey(1));
      JobId second42 = node.enqueue("tenant.sync", new TenantArgs(42));
      List<ClaimedJob> claimed =
          store.jobClaim(
              new ClaimParams(
                  "tenants",
                  List.of("tenant.sync"),
                  10,
                  "node-a",
                  7L,
                  Instant.now(),
                  Duration.ofSeconds(30),
                  node.queueOptions("tenants")));
      assertThat(claimed)
          .extracting(ClaimedJob::id)
          .containsExactlyInAnyOrder(
              fromRecord.value(), fromJson.value(), explicit.value(), none.value());
      assertThat(node.job(second42).orElseThrow().waiting())
          .isEqualTo("waiting: key tenant:42 at its limit of 1");

      // A derived key over 255 characters is refused like an explicit one, naming the field.
      assertThatThrownBy(() -> node.enqueue("tenant.sync", new TenantArgs(1300)))
          .isInstanceOfSatisfying(
              dev.offload.OffloadException.InvalidJobException.class,
              e -> assertThat(e.field()).isEqualTo("concurrencyKey"))
          .hasMessageContaining("concurrencyKey must be 1-255 characters");
    }
  }

  // ---------------------------------------------------------------- rates

  @Test
  void aRateHoldsAcrossClaimersAndThenLetsTheNextStartThrough() {
    // 1/min: one start now plus one of tolerance at the window's edge, then none for a minute,
    // whichever node asks. (The spacing itself is GcraTest's, on exact times.)
    offload.updateQueue("api", QueueOptions.none().rate(Rate.perMinute(1)));
    for (int i = 0; i < 10; i++) {
      insert("api", null);
    }
    assertThat(claim("api", 10, t0, "node-a")).hasSize(2);
    assertThat(claim("api", 10, t0, "node-b")).isEmpty();
    assertThat(claim("api", 10, t0, "node-a")).isEmpty();

    // 20/s: a start comes due every 50 ms.
    offload.updateQueue("api", QueueOptions.none().rate(Rate.perSecond(20)));
    List<ClaimedJob> later = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> later.addAll(claim("api", 10, t0, "node-b")));
    assertThat(later.size()).isBetween(1, 2);
  }

  @Test
  void aRatePerKeyGivesEachKeyItsOwnBudget() {
    offload.updateQueue("api", QueueOptions.none().rate(Rate.perMinute(1)).ratePerKey(true));
    for (int i = 0; i < 5; i++) {
      insert("api", "a");
      insert("api", "b");
    }
    List<ClaimedJob> first = claim("api", 20, t0);
    assertThat(first.stream().map(j -> concurrencyKey(j.id())).toList())
        .containsExactlyInAnyOrder("a", "a", "b", "b");
    assertThat(claim("api", 20, t0)).isEmpty();
    insert("api", "c");
    assertThat(claim("api", 20, t0).stream().map(j -> concurrencyKey(j.id())).toList())
        .containsExactly("c");
  }

  // ---------------------------------------------------------------- order

  @Test
  void aFairQueueInterleavesKeysSoABigBacklogDoesNotDelayAnotherKey() {
    offload.updateQueue("sync", QueueOptions.none().fair(true));
    for (int i = 0; i < 200; i++) {
      insert("sync", "tenant:A");
    }
    List<Long> b = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      b.add(insert("sync", "tenant:B"));
    }
    List<ClaimedJob> first = claim("sync", 8, t0);
    assertThat(first).hasSize(8);
    assertThat(first).extracting(ClaimedJob::id).containsAll(b);
  }

  /** The args of the fairness test's jobs. */
  public record Tenant(String tenant) {}

  @Test
  void aTenantsTenJobsAllStartBeforeTheFiveHundredthOfAnotherTenantsBacklogOfTenThousand() {
    offload.updateQueue("fair", QueueOptions.none().fair(true));
    // Tenant A's backlog is all there before tenant B enqueues, and before any worker runs.
    List<dev.offload.EnqueueOptions.JobRequest> backlog = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      backlog.add(tenantJob("A"));
      if (backlog.size() == 1_000) {
        offload.enqueueAll(backlog);
        backlog.clear();
      }
    }
    for (int i = 0; i < 10; i++) {
      offload.enqueue("fair.job", new Tenant("B"), tenantJob("B").options());
    }
    List<String> startOrder = java.util.Collections.synchronizedList(new ArrayList<>());
    try (Offload worker =
        Offload.builder()
            .store(newStore())
            .migrate(false)
            .pollInterval(Duration.ofMillis(50))
            .register(
                "fair.job",
                Tenant.class,
                (args, ctx) -> {
                  startOrder.add(args.tenant());
                  return null;
                },
                dev.offload.JobOptions.defaults().queue("fair"))
            .queue("fair", 4)
            .build()) {
      worker.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> startOrder.stream().filter("B"::equals).count() == 10);
    }
    List<String> order;
    synchronized (startOrder) {
      order = List.copyOf(startOrder);
    }
    int lastB = order.lastIndexOf("B");
    long aBeforeLastB = order.subList(0, lastB).stream().filter("A"::equals).count();
    assertThat(aBeforeLastB).as("A's jobs started before B's last").isLessThan(499);
  }

  private static dev.offload.EnqueueOptions.JobRequest tenantJob(String tenant) {
    return dev.offload.EnqueueOptions.JobRequest.of(
        "fair.job",
        new Tenant(tenant),
        EnqueueOptions.none().allowUnknownKind().queue("fair").concurrencyKey("tenant:" + tenant));
  }

  @Test
  void agingMakesALongWaitingLowPriorityJobRunBeforeNewUrgentOnes() {
    long old = insert("bulk", null, 9, t0.minusSeconds(60));
    long urgent = insert("bulk", null, 0, t0.minusSeconds(1));
    offload.updateQueue("bulk", QueueOptions.none().fair(true));
    assertThat(claim("bulk", 1, t0).get(0).id()).isEqualTo(urgent);
    offload.updateQueue("bulk", QueueOptions.none().aging(Duration.ofSeconds(5)));
    insert("bulk", null, 0, t0.minusSeconds(1));
    assertThat(claim("bulk", 1, t0).get(0).id()).isEqualTo(old);
  }

  // ---------------------------------------------------------------- unique jobs

  private Enqueued enqueueUnique(String key, Map<String, Object> args, EnqueueOptions extra) {
    return offload.enqueueOrFind("k", args, extra.allowUnknownKind().uniqueKey(key).queue("u"));
  }

  @Test
  void aUniqueKeyGivesTheSameJobWhilePendingOrRunningAndANewOneAfter() {
    Enqueued first = enqueueUnique("reindex:1", Map.of("n", 1), EnqueueOptions.none());
    assertThat(first.duplicate()).isFalse();
    Enqueued again = enqueueUnique("reindex:1", Map.of("n", 2), EnqueueOptions.none());
    assertThat(again).isEqualTo(new Enqueued(first.id(), true));
    assertThat(store.jobGet(first.id().value()).orElseThrow().args().get("n").asInt()).isEqualTo(1);

    List<ClaimedJob> running = claim("u", 1, Instant.now());
    assertThat(running).hasSize(1);
    assertThat(enqueueUnique("reindex:1", Map.of("n", 3), EnqueueOptions.none()).id())
        .isEqualTo(first.id());
    succeed(running.get(0), Instant.now());

    Enqueued after = enqueueUnique("reindex:1", Map.of("n", 4), EnqueueOptions.none());
    assertThat(after.duplicate()).isFalse();
    assertThat(after.id()).isNotEqualTo(first.id());
  }

  @Test
  void uniqueForAlsoCoversAJobThatFinishedRecently() {
    Enqueued first = enqueueUnique("daily", Map.of(), EnqueueOptions.none());
    ClaimedJob job = claim("u", 1, Instant.now()).get(0);
    succeed(job, Instant.now());
    Enqueued within =
        enqueueUnique("daily", Map.of(), EnqueueOptions.none().uniqueFor(Duration.ofHours(1)));
    assertThat(within).isEqualTo(new Enqueued(first.id(), true));
    // Without uniqueFor (or once it has passed) the finished job does not count.
    assertThat(enqueueUnique("daily", Map.of(), EnqueueOptions.none()).duplicate()).isFalse();
  }

  @Test
  void onDuplicateReplaceDebouncesAJobThatHasNotStarted() {
    Enqueued first =
        enqueueUnique(
            "reindex:7", Map.of("edit", 1), EnqueueOptions.none().delay(Duration.ofSeconds(5)));
    Job before = store.jobGet(first.id().value()).orElseThrow();
    Enqueued replaced =
        enqueueUnique(
            "reindex:7",
            Map.of("edit", 2),
            EnqueueOptions.none().delay(Duration.ofSeconds(30)).onDuplicateReplace());
    assertThat(replaced).isEqualTo(new Enqueued(first.id(), true));
    Job after = store.jobGet(first.id().value()).orElseThrow();
    assertThat(after.args().get("edit").asInt()).isEqualTo(2);
    assertThat(after.runAt()).isAfter(before.runAt().plusSeconds(20));
    assertThat(after.state()).isEqualTo(JobState.SCHEDULED);

    // A duplicate that already runs is left alone.
    enqueueUnique("reindex:7", Map.of("edit", 3), EnqueueOptions.none().onDuplicateReplace());
    ClaimedJob running = claim("u", 1, Instant.now()).get(0);
    assertThat(running.argsJson()).contains("3");
    Enqueued late =
        enqueueUnique("reindex:7", Map.of("edit", 4), EnqueueOptions.none().onDuplicateReplace());
    assertThat(late).isEqualTo(new Enqueued(first.id(), true));
    assertThat(store.jobGet(first.id().value()).orElseThrow().args().get("edit").asInt())
        .isEqualTo(3);
  }

  @Test
  void racingEnqueuesOfOneUniqueKeyCreateOneJob() throws Exception {
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Store> stores = new ArrayList<>();
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Enqueued>> results = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        Store s = i % 2 == 0 ? store : stores.isEmpty() ? addStore(stores) : stores.get(0);
        Offload node = Offload.builder().store(s).migrate(false).build();
        results.add(
            pool.submit(() -> {
              go.await();
              return node.enqueueOrFind(
                  "k", Map.of(), EnqueueOptions.none().allowUnknownKind().uniqueKey("once"));
            }));
      }
      go.countDown();
      Set<Long> ids = new HashSet<>();
      int created = 0;
      for (Future<Enqueued> f : results) {
        Enqueued e = f.get();
        ids.add(e.id().value());
        created += e.duplicate() ? 0 : 1;
      }
      assertThat(ids).hasSize(1);
      assertThat(created).isEqualTo(1);
    } finally {
      pool.shutdownNow();
      stores.forEach(Store::close);
    }
  }

  @Test
  void keysLongerThan255CharactersOrEmptyAreRefused() {
    assertThatThrownBy(() -> EnqueueOptions.none().uniqueKey("")).hasMessageContaining("uniqueKey");
    assertThatThrownBy(() -> EnqueueOptions.none().concurrencyKey("x".repeat(256)))
        .hasMessageContaining("concurrencyKey");
    assertThatThrownBy(() ->
            offload.enqueueOrFind(
                "k", Map.of(), EnqueueOptions.none().uniqueFor(Duration.ofMinutes(1))))
        .hasMessageContaining("needs a uniqueKey");
  }

  private Store addStore(List<Store> stores) {
    Store s = newStore();
    stores.add(s);
    return s;
  }

  private String concurrencyKey(long id) {
    return store.jobGet(id).orElseThrow().concurrencyKey();
  }
}
