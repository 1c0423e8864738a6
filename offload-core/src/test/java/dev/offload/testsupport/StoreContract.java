package dev.offload.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job;
import dev.offload.Job.JobFilter;
import dev.offload.Job.JobId;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.JobOptions.RetryPolicy;
import dev.offload.Offload;
import dev.offload.OffloadException.UnknownKindException;
import dev.offload.QueueOptions;
import dev.offload.store.Store;
import dev.offload.store.Store.ClaimParams;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.Completion;
import dev.offload.store.Store.Heartbeat;
import dev.offload.store.Store.InsertedThenClaimed;
import dev.offload.store.Store.JobAction;
import dev.offload.store.Store.JobInsert;
import dev.offload.store.Store.LeasedJob;
import dev.offload.store.Store.ProgressUpdate;
import dev.offload.store.Store.SchemaVersion;
import dev.offload.store.Store.StuckJob;
import dev.offload.store.Store.WorkflowInsert;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every store must have, run against real databases by {@code PostgresStoreTest} and
 * {@code SqliteStoreTest}. Store-level tests call the SPI directly; engine-level tests go through
 * {@link Offload} as a user would.
 */
public abstract class StoreContract {
  /** A store over a fresh, empty database (schema or file) that this test class owns. */
  protected abstract Store newStore();

  /** A plain JDBC connection to the same database, for the caller-owned transaction tests. */
  protected abstract Connection openConnection() throws Exception;

  /** Empties the store's tables between tests. */
  protected abstract void truncate() throws Exception;

  protected Store store;
  private final List<Offload> started = new ArrayList<>();

  record Sleep(long ms) {}

  record Note(String text) {}

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

  protected static JobInsert insert(String kind, String queue, int priority, Instant runAt) {
    Instant now = Instant.now();
    return StoreFixtures.job(
        kind,
        queue,
        priority,
        "{\"n\":1}",
        3,
        runAt.isAfter(now) ? JobState.SCHEDULED : JobState.AVAILABLE,
        runAt,
        now);
  }

  protected static JobInsert insert(String kind) {
    return insert(kind, "default", 0, Instant.now().minusMillis(1));
  }

  private List<ClaimedJob> claim(String queue, int limit, List<String> kinds, Duration lease) {
    Instant now = Instant.now();
    return store.jobClaim(StoreFixtures.claim(queue, kinds, limit, "node-a", 42L, now, lease));
  }

  private List<ClaimedJob> claim(int limit) {
    return claim("default", limit, List.of("k"), Duration.ofSeconds(30));
  }

  private Job get(long id) {
    return store.jobGet(id).orElseThrow();
  }

  private Offload.Builder offload() {
    return Offload.builder()
        .store(store)
        .migrate(false)
        .pollInterval(Duration.ofMillis(50))
        .shutdownGrace(Duration.ofMillis(200));
  }

  private Offload start(Offload.Builder builder) {
    Offload o = builder.build();
    o.start();
    started.add(o);
    return o;
  }

  private Job awaitState(Offload o, JobId id, JobState state) {
    await().atMost(Duration.ofSeconds(20)).until(() -> o.job(id).orElseThrow().state() == state);
    return o.job(id).orElseThrow();
  }

  // ---------------------------------------------------------------- the state machine, defined
  // once

  /**
   * Every action from every state, through the store and through the façade: each may start exactly
   * from the states {@link JobAction} lists, on every store.
   */
  @Test
  void everyActionStartsExactlyFromTheStatesJobActionAllows() {
    Offload o = offload().build();
    for (JobAction action : JobAction.values()) {
      for (JobState state : JobState.values()) {
        String queue = "sm-" + action.verb() + "-" + state.wireName();
        long id = jobIn(state, queue);
        boolean storeAllowed = applyThroughStore(action, id, queue, state);
        assertThat(storeAllowed)
            .as("store: %s from %s", action, state)
            .isEqualTo(action.allows(state));
        Boolean facadeAccepted = applyThroughFacade(o, action, jobIn(state, queue + "-f"), state);
        // Cancelling a cancelled job again is refused (HTTP 409), as for any job that ended.
        if (facadeAccepted != null) {
          assertThat(facadeAccepted)
              .as("façade: %s from %s", action, state)
              .isEqualTo(action.allows(state));
        }
      }
    }
  }

  /** A job in {@code state}, alone in {@code queue}, made through the SPI as the engine would. */
  private long jobIn(JobState state, String queue) {
    Instant now = Instant.now();
    if (state == JobState.SCHEDULED) {
      return store.jobInsertMany(List.of(insert("k", queue, 0, now.plusSeconds(3_600)))).get(0);
    }
    if (state == JobState.WAITING) {
      // The second step of a workflow waits for the first, which is scheduled far ahead.
      long workflow =
          store.workflowInsert(
              new WorkflowInsert(
                  "wf-" + queue,
                  now,
                  List.of(
                      new WorkflowInsert.Step(
                          "first",
                          insert("k", queue + "-dep", 0, now.plusSeconds(3_600)),
                          List.of(),
                          "cancel",
                          List.of()),
                      new WorkflowInsert.Step(
                          "second",
                          insert("k", queue, 0, now.minusSeconds(1)),
                          List.of(0),
                          "cancel",
                          List.of())),
                  false));
      long id =
          store.workflowGet(workflow).orElseThrow().steps().stream()
              .filter(s -> s.name().equals("second"))
              .findFirst()
              .orElseThrow()
              .jobId();
      assertThat(get(id).state()).isEqualTo(JobState.WAITING);
      return id;
    }
    long id = store.jobInsertMany(List.of(insert("k", queue, 0, now.minusSeconds(1)))).get(0);
    if (state == JobState.AVAILABLE) {
      return id;
    }
    // Claimed with a lease that has already expired, so a running job is one the rescuer may take.
    ClaimedJob claimed = claim(queue, 1, List.of("k"), Duration.ofMillis(-1)).get(0);
    assertThat(claimed.id()).isEqualTo(id);
    if (state != JobState.RUNNING) {
      Instant runAt = state == JobState.RETRYING ? now.plusSeconds(3_600) : null;
      store.jobCompleteMany(
          List.of(
              StoreFixtures.completion(id, claimed.token(), state, now, runAt, null, null, null)));
    }
    assertThat(get(id).state()).isEqualTo(state);
    return id;
  }

  /** Applies {@code action} through the store SPI; returns whether it acted on the job. */
  private boolean applyThroughStore(JobAction action, long id, String queue, JobState before) {
    Instant now = Instant.now();
    JobFilter onlyThisJob = JobFilter.any().queue(queue);
    return switch (action) {
      case CANCEL -> {
        store.jobCancel(id, now);
        yield before == JobState.RUNNING
            ? store
                .jobHeartbeat("node-a", List.of(new LeasedJob(id, 42L)), Duration.ofSeconds(30))
                .cancelRequested()
                .contains(id)
            : before != JobState.CANCELLED && get(id).state() == JobState.CANCELLED;
      }
      case RETRY -> {
        store.jobRetry(id, now);
        yield before != JobState.AVAILABLE && get(id).state() == JobState.AVAILABLE;
      }
      case REPLAY -> store.jobReplayMany(onlyThisJob, now) == 1;
      case DELETE -> {
        store.jobDelete(id);
        yield store.jobGet(id).isEmpty();
      }
      case PURGE -> store.jobDeleteMany(onlyThisJob) == 1;
      case RESCUE -> store.jobGetStuck(10_000).stream().anyMatch(j -> j.id() == id);
    };
  }

  /**
   * Applies {@code action} through {@link Offload}: whether it was accepted, or null if it has no
   * façade twin.
   */
  private Boolean applyThroughFacade(Offload o, JobAction action, long id, JobState before) {
    JobId jobId = new JobId(id);
    try {
      switch (action) {
        case CANCEL -> o.cancel(jobId);
        case RETRY -> o.retry(jobId);
        case DELETE -> o.delete(jobId);
        case REPLAY -> o.replay(JobFilter.any().state(before).queue("none"));
        case PURGE -> o.purge(JobFilter.any().state(before).queue("none"));
        case RESCUE -> {
          return null;
        }
      }
      return true;
    } catch (IllegalStateException | IllegalArgumentException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- store level

  @Test
  void migratedStoreReportsItsSchemaUpToDate() {
    SchemaVersion version = store.schemaVersion();
    assertThat(version.current()).isPositive().isEqualTo(version.latest());
    assertThat(version.upToDate()).isTrue();
  }

  @Test
  void insertedJobIsClaimedOnceAndCompleted() {
    long id = store.jobInsertMany(List.of(insert("k"))).get(0);
    assertThat(get(id).state()).isEqualTo(JobState.AVAILABLE);

    List<ClaimedJob> claimed = claim(10);
    assertThat(claimed).extracting(ClaimedJob::id).containsExactly(id);
    ClaimedJob job = claimed.get(0);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.token()).isEqualTo(42L);
    assertThat(job.argsJson()).contains("\"n\"");
    assertThat(get(id).state()).isEqualTo(JobState.RUNNING);
    assertThat(get(id).node()).isEqualTo("node-a");
    assertThat(claim(10)).isEmpty();

    Instant at = Instant.now();
    List<Long> written =
        store.jobCompleteMany(
            List.of(
                StoreFixtures.completion(
                    id, 42L, JobState.SUCCEEDED, at, null, "{\"ok\":true}", null, null)));
    assertThat(written).containsExactly(id);
    Job done = get(id);
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.result().get("ok").asBoolean()).isTrue();
    assertThat(done.finishedAt()).isNotNull();
    assertThat(done.attempt()).isEqualTo(1);
  }

  @Test
  void headersAreStoredWithTheJobAndHandedBackByEveryClaim() {
    String trace = "{\"traceparent\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\"}";
    Instant now = Instant.now().minusMillis(1);
    JobInsert plain = insert("k").withHeaders(trace);
    JobInsert none = insert("k");
    JobInsert unique =
        new JobInsert(
                "k",
                "default",
                0,
                "{}",
                3,
                JobState.AVAILABLE,
                now,
                now,
                null,
                null,
                null,
                null,
                null,
                "only-one",
                null,
                false,
                null)
            .withHeaders(trace);
    JobInsert limited =
        StoreFixtures.job("k", "limited", 0, "{}", 3, JobState.AVAILABLE, now, now)
            .withHeaders(trace);
    List<Long> ids = store.jobInsertMany(List.of(plain, none, unique, limited));

    Map<Long, String> claimed = new java.util.HashMap<>();
    for (ClaimedJob job : claim(10)) {
      claimed.put(job.id(), job.headersJson());
    }
    // The flow-controlled claim is another statement on both stores.
    QueueOptions flow = QueueOptions.none().perKey(5);
    store.queueSettingsPut("limited", flow, /* onlyIfUnconfigured= */ false);
    for (ClaimedJob job :
        store.jobClaim(
            new ClaimParams(
                "limited",
                List.of("k"),
                10,
                "node-a",
                42L,
                Instant.now(),
                Duration.ofSeconds(30),
                flow))) {
      claimed.put(job.id(), job.headersJson());
    }
    assertThat(claimed).containsOnlyKeys(ids);
    assertThat(dev.offload.internal.Json.tree(claimed.get(ids.get(0))))
        .isEqualTo(dev.offload.internal.Json.tree(trace));
    assertThat(claimed.get(ids.get(1))).isNull();
    assertThat(dev.offload.internal.Json.tree(claimed.get(ids.get(2))))
        .isEqualTo(dev.offload.internal.Json.tree(trace));
    assertThat(dev.offload.internal.Json.tree(claimed.get(ids.get(3))))
        .isEqualTo(dev.offload.internal.Json.tree(trace));
  }

  @Test
  void insertManyReturnsIdsInInputOrder() {
    List<JobInsert> inserts = new ArrayList<>();
    for (int i = 0; i < 1_200; i++) {
      inserts.add(
          StoreFixtures.job(
              "k",
              "default",
              i % 10,
              "{\"i\":" + i + "}",
              3,
              JobState.AVAILABLE,
              Instant.now(),
              Instant.now()));
    }
    List<Long> ids = store.jobInsertMany(inserts);
    assertThat(ids).hasSize(1_200).doesNotHaveDuplicates();
    for (int i : new int[] {0, 599, 1_199}) {
      assertThat(get(ids.get(i)).args().get("i").asInt()).isEqualTo(i);
      assertThat(get(ids.get(i)).priority()).isEqualTo(i % 10);
    }
  }

  @Test
  void claimOrdersByPriorityThenRunAtThenId() {
    Instant base = Instant.now().minusSeconds(60);
    long late = store.jobInsertMany(List.of(insert("k", "default", 5, base.plusSeconds(2)))).get(0);
    long early =
        store.jobInsertMany(List.of(insert("k", "default", 5, base.plusSeconds(1)))).get(0);
    long urgent =
        store.jobInsertMany(List.of(insert("k", "default", 0, base.plusSeconds(30)))).get(0);
    long sameTimeFirst = store.jobInsertMany(List.of(insert("k", "default", 9, base))).get(0);
    long sameTimeSecond = store.jobInsertMany(List.of(insert("k", "default", 9, base))).get(0);

    List<Long> order = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      order.add(claim(1).get(0).id());
    }
    assertThat(order).containsExactly(urgent, early, late, sameTimeFirst, sameTimeSecond);
  }

  @Test
  void claimReturnsBatchInPriorityOrder() {
    Instant now = Instant.now().minusSeconds(1);
    long low = store.jobInsertMany(List.of(insert("k", "default", 7, now))).get(0);
    long high = store.jobInsertMany(List.of(insert("k", "default", 1, now))).get(0);
    assertThat(claim(10)).extracting(ClaimedJob::id).containsExactly(high, low);
  }

  @Test
  void claimSkipsJobsNotYetDueOtherQueuesAndUnknownKinds() {
    store.jobInsertMany(
        List.of(
            insert("k", "default", 0, Instant.now().plusSeconds(60)),
            insert("k", "other", 0, Instant.now().minusSeconds(1)),
            insert("not-mine", "default", 0, Instant.now().minusSeconds(1))));
    assertThat(claim(10)).isEmpty();
    assertThat(
            store.jobClaim(
                StoreFixtures.claim(
                    "default", List.of(), 10, "n", 1, Instant.now(), Duration.ofSeconds(5))))
        .isEmpty();
  }

  @Test
  void aJobJustInsertedIsClaimedByItsIdOnlyUnderTheClaimsRules() {
    Instant now = Instant.now();
    long notDue = store.jobInsertMany(List.of(insert("k", "later", 0, now.plusSeconds(60)))).get(0);
    long notMine = store.jobInsertMany(List.of(insert("other", "mine", 0, now))).get(0);
    long paused = store.jobInsertMany(List.of(insert("k", "paused", 0, now))).get(0);
    store.queuePause("paused", true);
    long due = store.jobInsertMany(List.of(insert("k", "default", 0, now))).get(0);

    assertThat(claimInserted("later", notDue)).isEmpty();
    assertThat(claimInserted("mine", notMine)).isEmpty();
    assertThat(claimInserted("paused", paused)).isEmpty();
    // Of another queue than the claim's: a claim of "later" never takes a job of "default".
    assertThat(claimInserted("later", due)).isEmpty();
    List<ClaimedJob> claimed = claimInserted("default", due);
    assertThat(claimed).extracting(ClaimedJob::id).containsExactly(due);
    assertThat(claimed.get(0).attempt()).isEqualTo(1);
    assertThat(get(due).state()).isEqualTo(JobState.RUNNING);
    // Claimed once only.
    assertThat(claimInserted("default", due)).isEmpty();
    assertThat(get(notDue).state()).isEqualTo(JobState.SCHEDULED);
    assertThat(get(notMine).state()).isEqualTo(JobState.AVAILABLE);
    assertThat(get(paused).state()).isEqualTo(JobState.AVAILABLE);
  }

  @Test
  void aJobInsertedThenClaimedIsStoredAndClaimedOnlyUnderTheClaimsRules() {
    Instant now = Instant.now();
    store.queuePause("paused", true);
    InsertedThenClaimed mine = insertThenClaim("default", insert("k", "default", 0, now));
    // Kept from the claim by its rules, yet stored: another kind, a paused queue, not due.
    InsertedThenClaimed notMine = insertThenClaim("default", insert("other", "default", 0, now));
    InsertedThenClaimed paused = insertThenClaim("paused", insert("k", "paused", 0, now));
    InsertedThenClaimed later =
        insertThenClaim("default", insert("k", "default", 0, now.plusSeconds(3_600)));

    assertThat(mine.claimed()).extracting(ClaimedJob::id).containsExactly(mine.id());
    assertThat(mine.claimed().get(0).attempt()).isEqualTo(1);
    assertThat(mine.claimed().get(0).token()).isEqualTo(1);
    assertThat(get(mine.id()).state()).isEqualTo(JobState.RUNNING);
    assertThat(notMine.claimed()).isEmpty();
    assertThat(paused.claimed()).isEmpty();
    assertThat(get(notMine.id()).state()).isEqualTo(JobState.AVAILABLE);
    assertThat(get(paused.id()).state()).isEqualTo(JobState.AVAILABLE);
    assertThat(later.claimed()).isEmpty();
    assertThat(get(later.id()).state()).isEqualTo(JobState.SCHEDULED);
    // The counts the dashboard shows moved with the claim.
    Map<String, Map<JobState, Long>> counts = new java.util.HashMap<>();
    store.queueStats(Instant.now()).forEach(q -> counts.put(q.name(), q.counts()));
    assertThat(counts.get("default"))
        .containsEntry(JobState.RUNNING, 1L)
        .containsEntry(JobState.AVAILABLE, 1L)
        .containsEntry(JobState.SCHEDULED, 1L);
    assertThat(counts.get("paused")).containsEntry(JobState.AVAILABLE, 1L);
    // Claimed once: no claim of the queue takes it again.
    assertThat(
            store.jobClaim(
                StoreFixtures.claim(
                    "default", List.of("k"), 10, "n2", 2, Instant.now(), Duration.ofSeconds(30))))
        .isEmpty();
    // And it ends as any claimed job does: its claim's token writes its completion.
    assertThat(
            store.jobCompleteMany(
                List.of(
                    StoreFixtures.completion(
                        mine.id(), 1L, JobState.SUCCEEDED, Instant.now(), null, null, null, null))))
        .isNotEmpty();
    assertThat(get(mine.id()).state()).isEqualTo(JobState.SUCCEEDED);
  }

  /**
   * {@link Store#jobInsertThenClaim} of {@code job} as node "n" running kind "k" of {@code queue}.
   */
  protected final InsertedThenClaimed insertThenClaim(String queue, JobInsert job) {
    return store.jobInsertThenClaim(
        job,
        StoreFixtures.claim(queue, List.of("k"), 1, "n", 1, Instant.now(), Duration.ofSeconds(30)));
  }

  @Test
  void anIdleNodeInsertsAJobItWillRunAndClaimsItInOneStoreCall() {
    // The jobs jobInsertThenClaim claimed.
    Set<Long> claimedByInsert = ConcurrentHashMap.newKeySet();
    Store watched =
        (Store)
            java.lang.reflect.Proxy.newProxyInstance(
                Store.class.getClassLoader(),
                new Class<?>[] {Store.class},
                (proxy, method, args) -> {
                  Object result;
                  try {
                    result = method.invoke(store, args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                  if (result instanceof InsertedThenClaimed done) {
                    done.claimed().forEach(j -> claimedByInsert.add(j.id()));
                  }
                  return result;
                });
    Map<Long, Integer> attempts = new ConcurrentHashMap<>();
    Offload o =
        start(
            offload()
                .store(watched)
                // No poll in the test's time: what starts a job is its enqueue.
                .pollInterval(Duration.ofMinutes(5))
                .register(
                    "k",
                    Note.class,
                    (args, ctx) -> {
                      attempts.merge(ctx.id().value(), 1, Integer::sum);
                      return null;
                    }));
    List<JobId> ids = new ArrayList<>();
    // The queue looks empty here once the node's first claim came back short (an enqueue before
    // that is claimed as usual). Where the store announces a job claimed by its insert (SQLite's
    // two steps), the notification wakes a claim that finds nothing, and the queue looks empty
    // again.
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> {
          JobId id = o.enqueue("k", new Note("x"));
          ids.add(id);
          awaitState(o, id, JobState.SUCCEEDED);
          assertThat(claimedByInsert).contains(id.value());
        });
    // The last enqueue was claimed by its insert; every job ran once.
    assertThat(attempts.keySet())
        .containsExactlyInAnyOrderElementsOf(ids.stream().map(JobId::value).toList());
    assertThat(attempts.values()).containsOnly(1);
  }

  /**
   * {@link Store#jobClaimInserted} of job {@code id} as node "n" running kind "k" of {@code queue}.
   */
  protected final List<ClaimedJob> claimInserted(String queue, long id) {
    return store.jobClaimInserted(
        StoreFixtures.claim(queue, List.of("k"), 10, "n", 1, Instant.now(), Duration.ofSeconds(30)),
        id);
  }

  @Test
  void concurrentClaimersNeverClaimTheSameJob() throws Exception {
    int jobs = 2_000;
    List<JobInsert> inserts = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      inserts.add(insert("k"));
    }
    store.jobInsertMany(inserts);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<Long>>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long token = t + 1;
        results.add(
            pool.submit(() -> {
              go.await();
              List<Long> mine = new ArrayList<>();
              while (true) {
                Instant now = Instant.now();
                List<ClaimedJob> got =
                    store.jobClaim(
                        StoreFixtures.claim(
                            "default",
                            List.of("k"),
                            37,
                            "node-" + token,
                            token,
                            now,
                            Duration.ofSeconds(30)));
                if (got.isEmpty()) {
                  return mine;
                }
                got.forEach(j -> mine.add(j.id()));
              }
            }));
      }
      go.countDown();
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> f : results) {
        all.addAll(f.get());
      }
      assertThat(all).hasSize(jobs).doesNotHaveDuplicates();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void staleClaimTokenIsRejected() {
    long id = store.jobInsertMany(List.of(insert("k"))).get(0);
    claim(1);
    Instant now = Instant.now();
    assertThat(
            store.jobCompleteMany(
                List.of(
                    StoreFixtures.completion(
                        id, 7L, JobState.SUCCEEDED, now, null, null, null, null))))
        .isEmpty();
    assertThat(get(id).state()).isEqualTo(JobState.RUNNING);

    // The attempt is rescued and claimed again: the first worker's token no longer writes anything.
    store.jobCompleteMany(
        List.of(
            StoreFixtures.completion(
                id, 42L, JobState.RETRYING, now, now.minusSeconds(1), null, null, null)));
    Instant later = Instant.now();
    store.jobClaim(
        StoreFixtures.claim(
            "default", List.of("k"), 1, "node-b", 99L, later, Duration.ofSeconds(30)));
    assertThat(
            store.jobCompleteMany(
                List.of(
                    StoreFixtures.completion(
                        id, 42L, JobState.SUCCEEDED, later, null, null, null, null))))
        .isEmpty();
    Job job = get(id);
    assertThat(job.state()).isEqualTo(JobState.RUNNING);
    assertThat(job.node()).isEqualTo("node-b");
    assertThat(job.attempt()).isEqualTo(2);
    assertThat(
            store.jobCompleteMany(
                List.of(
                    StoreFixtures.completion(
                        id, 99L, JobState.SUCCEEDED, later, null, null, null, null))))
        .containsExactly(id);
  }

  @Test
  void heartbeatExtendsOnlyTheNodesOwnLeases() {
    long id = store.jobInsertMany(List.of(insert("k"))).get(0);
    claim("default", 1, List.of("k"), Duration.ofMillis(-1));
    LeasedJob held = new LeasedJob(id, 42L);
    Duration far = Duration.ofSeconds(300);
    assertThat(store.jobHeartbeat("someone-else", List.of(held), far).renewed()).isEmpty();
    assertThat(store.jobGetStuck(10)).extracting(StuckJob::id).containsExactly(id);
    assertThat(store.jobHeartbeat("node-a", List.of(held), far))
        .isEqualTo(new Heartbeat(List.of(held), List.of()));
    assertThat(store.jobGetStuck(10)).isEmpty();
    assertThat(store.jobHeartbeat("node-a", List.of(held), Duration.ofMillis(-1)).cancelRequested())
        .isEmpty();
    assertThat(store.jobGetStuck(10)).extracting(StuckJob::id).containsExactly(id);

    // A cancellation requested while the job runs comes back with the next heartbeat.
    assertThat(store.jobCancel(id, Instant.now())).contains(JobState.RUNNING);
    assertThat(store.jobHeartbeat("node-a", List.of(held), far))
        .isEqualTo(new Heartbeat(List.of(held), List.of(id)));
  }

  @Test
  void heartbeatReportsWhichLeasesItRenewedSoANodeThatStalledNoticesItsRescuedJobs() {
    long rescued = store.jobInsertMany(List.of(insert("k"))).get(0);
    long reclaimed = store.jobInsertMany(List.of(insert("k"))).get(0);
    long kept = store.jobInsertMany(List.of(insert("k"))).get(0);
    claim("default", 3, List.of("k"), Duration.ofMillis(-1));
    LeasedJob keptLease = new LeasedJob(kept, 42L);
    // node-a stalls: its leases lapse, and another node's rescuer takes two of its jobs while the
    // database stays reachable. The third lease is renewed just in time.
    store.jobHeartbeat("node-a", List.of(keptLease), Duration.ofSeconds(30));
    List<StuckJob> stuck = store.jobGetStuck(10);
    assertThat(stuck).extracting(StuckJob::id).containsExactlyInAnyOrder(rescued, reclaimed);
    Instant now = Instant.now();
    List<Completion> rescues =
        stuck.stream()
            .map(s ->
                StoreFixtures.completion(
                    s.id(), s.token(), JobState.RETRYING, now, now, null, null, s.checkedAt()))
            .toList();
    assertThat(store.jobCompleteMany(rescues)).containsExactlyInAnyOrder(rescued, reclaimed);
    // One of them is claimed again by this same node, under a new token (the old code renewed any
    // lease the node held on the id, so the stale attempt went unnoticed).
    store.jobClaim(
        StoreFixtures.claim(
            "default", List.of("k"), 1, "node-a", 43L, Instant.now(), Duration.ofSeconds(30)));
    LeasedJob again =
        new LeasedJob(
            store.jobGet(reclaimed).orElseThrow().state() == JobState.RUNNING ? reclaimed : rescued,
            43L);

    Heartbeat beat =
        store.jobHeartbeat(
            "node-a",
            List.of(new LeasedJob(rescued, 42L), new LeasedJob(reclaimed, 42L), keptLease),
            Duration.ofSeconds(30));
    assertThat(beat.renewed()).containsExactly(keptLease);
    assertThat(beat.cancelRequested()).isEmpty();
    // The new attempt's lease is renewed under its own token.
    assertThat(store.jobHeartbeat("node-a", List.of(again), Duration.ofSeconds(30)).renewed())
        .containsExactly(again);
    assertThat(store.jobHeartbeat("node-a", List.of(), Duration.ofSeconds(30)))
        .isEqualTo(Heartbeat.none());
  }

  @Test
  void completionKeepsEveryErrorInOrder() {
    long id = store.jobInsertMany(List.of(insert("k"))).get(0);
    for (int attempt = 1; attempt <= 2; attempt++) {
      claim(1);
      Instant now = Instant.now();
      String error =
          "{\"attempt\":"
              + attempt
              + ",\"at\":\""
              + now
              + "\",\"node\":\"node-a\",\"errorClass\":\"java.lang.IllegalStateException\",\"message\":\"boom "
              + attempt
              + "\",\"stackTrace\":\"trace\"}";
      store.jobCompleteMany(
          List.of(
              StoreFixtures.completion(
                  id, 42L, JobState.RETRYING, now, now.minusMillis(1), null, error, null)));
    }
    Job job = get(id);
    assertThat(job.state()).isEqualTo(JobState.RETRYING);
    assertThat(job.errors()).extracting(e -> e.message()).containsExactly("boom 1", "boom 2");
    assertThat(job.errors().get(0).errorClass()).isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  void releaseReturnsJobWithoutCountingTheAttempt() {
    long id = store.jobInsertMany(List.of(insert("k"))).get(0);
    claim(1);
    assertThat(store.jobReleaseMany(List.of(new LeasedJob(id, 1L)), Instant.now())).isZero();
    assertThat(store.jobReleaseMany(List.of(new LeasedJob(id, 42L)), Instant.now())).isEqualTo(1);
    Job job = get(id);
    assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
    assertThat(job.attempt()).isZero();
    assertThat(claim(1)).extracting(ClaimedJob::attempt).containsExactly(1);
  }

  @Test
  void leasesAreMeasuredOnTheStoresClockNotOnTheWorkersNow() {
    // Workers whose clocks run 5 minutes behind and ahead: their leases hold 30 s all the same.
    long behind =
        store
            .jobInsertMany(
                List.of(insert("k", "default", 0, Instant.now().minus(Duration.ofMinutes(10)))))
            .get(0);
    Instant skewedBehind = Instant.now().minus(Duration.ofMinutes(5));
    store.jobClaim(
        StoreFixtures.claim(
            "default", List.of("k"), 1, "behind", 1L, skewedBehind, Duration.ofSeconds(30)));
    long ahead = store.jobInsertMany(List.of(insert("k"))).get(0);
    Instant skewedAhead = Instant.now().plus(Duration.ofMinutes(5));
    store.jobClaim(
        StoreFixtures.claim(
            "default", List.of("k"), 1, "ahead", 2L, skewedAhead, Duration.ofSeconds(30)));
    assertThat(get(behind).state()).isEqualTo(JobState.RUNNING);
    assertThat(get(ahead).state()).isEqualTo(JobState.RUNNING);
    assertThat(store.jobGetStuck(10)).isEmpty();
    // Renewed with a lease already over, they are stuck at once, whatever the workers' clocks said.
    store.jobHeartbeat("behind", List.of(new LeasedJob(behind, 1L)), Duration.ofMillis(-1));
    store.jobHeartbeat("ahead", List.of(new LeasedJob(ahead, 2L)), Duration.ofMillis(-1));
    assertThat(store.jobGetStuck(10))
        .extracting(StuckJob::id)
        .containsExactlyInAnyOrder(behind, ahead);
  }

  @Test
  void rescueSparesALeaseRenewedAfterItWasFoundExpired() {
    long id = store.jobInsertMany(List.of(insert("k"))).get(0);
    claim("default", 1, List.of("k"), Duration.ofMillis(-1));
    StuckJob stuck = store.jobGetStuck(10).get(0);
    assertThat(stuck.checkedAt()).isNotNull();
    // The worker's heartbeat lands between the rescuer's look and its write: the worker keeps it.
    store.jobHeartbeat("node-a", List.of(new LeasedJob(id, 42L)), Duration.ofSeconds(30));
    Instant now = Instant.now();
    assertThat(
            store.jobCompleteMany(
                List.of(
                    StoreFixtures.completion(
                        id, 42L, JobState.RETRYING, now, now, null, null, stuck.checkedAt()))))
        .isEmpty();
    assertThat(get(id).state()).isEqualTo(JobState.RUNNING);
    // Found expired again and not renewed since: the rescue is written.
    store.jobHeartbeat("node-a", List.of(new LeasedJob(id, 42L)), Duration.ofMillis(-1));
    StuckJob again = store.jobGetStuck(10).get(0);
    assertThat(
            store.jobCompleteMany(
                List.of(
                    StoreFixtures.completion(
                        id, 42L, JobState.RETRYING, now, now, null, null, again.checkedAt()))))
        .containsExactly(id);
  }

  @Test
  void rescueWritesOnlyWhenTheLeaseReallyExpired() {
    long id = store.jobInsertMany(List.of(insert("k"))).get(0);
    claim(1);
    Instant now = Instant.now();
    // The lease runs 30 s more: a rescue guarded by "expired before now" must not write.
    assertThat(
            store.jobCompleteMany(
                List.of(
                    StoreFixtures.completion(
                        id, 42L, JobState.RETRYING, now, now, null, null, now))))
        .isEmpty();
  }

  @Test
  void transactionalInsertExistsOnlyIfTheCallerCommits() throws Exception {
    long rolledBack;
    try (Connection tx = openConnection()) {
      tx.setAutoCommit(false);
      rolledBack = store.jobInsertMany(tx, List.of(insert("k"))).get(0);
      tx.rollback();
    }
    assertThat(store.jobGet(rolledBack)).isEmpty();
    assertThat(claim(10)).isEmpty();

    long committed;
    try (Connection tx = openConnection()) {
      tx.setAutoCommit(false);
      committed = store.jobInsertMany(tx, List.of(insert("k"))).get(0);
      tx.commit();
    }
    assertThat(get(committed).state()).isEqualTo(JobState.AVAILABLE);
  }

  @Test
  void storeConnectionCarriesManyInsertsInOneTransaction() throws Exception {
    List<Long> ids = new ArrayList<>();
    try (Connection tx = store.connectionOpen()) {
      tx.setAutoCommit(false);
      ids.addAll(store.jobInsertMany(tx, List.of(insert("k"), insert("k"))));
      ids.addAll(store.jobInsertMany(tx, List.of(insert("k"))));
      tx.rollback();
    }
    assertThat(ids).hasSize(3).allSatisfy(id -> assertThat(store.jobGet(id)).isEmpty());

    try (Connection tx = store.connectionOpen()) {
      tx.setAutoCommit(false);
      ids.clear();
      ids.addAll(store.jobInsertMany(tx, List.of(insert("k"), insert("k"))));
      ids.addAll(store.jobInsertMany(tx, List.of(insert("k"))));
      tx.commit();
    }
    assertThat(ids).allSatisfy(id -> assertThat(get(id).state()).isEqualTo(JobState.AVAILABLE));
  }

  @Test
  void listFiltersAndPagesNewestFirst() {
    List<JobInsert> inserts = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      inserts.add(insert(i % 2 == 0 ? "even" : "odd"));
    }
    List<Long> ids = store.jobInsertMany(inserts);
    var first = store.jobList(JobQuery.all().kind("even").limit(10));
    assertThat(first.jobs()).hasSize(10).allMatch(j -> j.kind().equals("even"));
    assertThat(first.jobs().get(0).id().value()).isEqualTo(ids.get(24));
    var second = store.jobList(JobQuery.all().kind("even").limit(10).cursor(first.nextCursor()));
    assertThat(second.jobs()).hasSize(3);
    assertThat(second.nextCursor()).isNull();
    Set<JobId> seen = new HashSet<>();
    for (var page : List.of(first, second)) {
      page.jobs().forEach(j -> assertThat(seen.add(j.id())).isTrue());
    }
    assertThat(store.jobList(JobQuery.all().state(JobState.RUNNING)).jobs()).isEmpty();
  }

  @Test
  void leaderIsExclusiveUntilItResignsOrExpires() {
    Instant now = Instant.now();
    assertThat(store.leaderAttemptElect("a", Duration.ofSeconds(30), now)).isTrue();
    assertThat(store.leaderAttemptElect("b", Duration.ofSeconds(30), now)).isFalse();
    assertThat(store.leaderAttemptElect("a", Duration.ofSeconds(30), now.plusSeconds(5))).isTrue();
    store.leaderResign("a");
    assertThat(store.leaderAttemptElect("b", Duration.ofSeconds(30), now.plusSeconds(6))).isTrue();
    store.leaderResign("b");
  }

  @Test
  void announcedKindsAreKnown() {
    assertThat(store.kindKnown("reports.monthly")).isFalse();
    store.kindAnnounce(List.of("reports.monthly"), Instant.now());
    store.kindAnnounce(List.of("reports.monthly"), Instant.now());
    assertThat(store.kindKnown("reports.monthly")).isTrue();
  }

  @Test
  void checkpointAndProgressNeedTheCurrentToken() {
    long id = store.jobInsertMany(List.of(insert("k"))).get(0);
    claim(1);
    assertThat(store.jobCheckpoint(id, 41L, "{\"cursor\":1}", null)).isFalse();
    assertThat(
            store.jobCheckpoint(
                id,
                42L,
                "{\"cursor\":2}",
                "{\"count\":1,\"items\":[{\"key\":\"o-1\",\"error\":\"bad\"}]}"))
        .isTrue();
    assertThat(store.jobProgressMany(List.of(new ProgressUpdate(id, 41L, "{\"percent\":10}"))))
        .isEmpty();
    assertThat(
            store.jobProgressMany(
                List.of(
                    new ProgressUpdate(
                        id,
                        42L,
                        "{\"percent\":50.0,\"done\":5,\"total\":10,\"stages\":[],\"failedItems\":1,\"updatedAt\":\"2026-11-24T12:00:00Z\"}"))))
        .containsExactly(id);
    Job job = get(id);
    assertThat(job.checkpoint().get("cursor").asInt()).isEqualTo(2);
    assertThat(job.progress().percent()).isEqualTo(50.0);
    assertThat(job.failedItems().items()).extracting(i -> i.key()).containsExactly("o-1");
    // A later claim hands the checkpoint and failed items to the next attempt.
    store.jobCompleteMany(
        List.of(
            StoreFixtures.completion(
                id,
                42L,
                JobState.RETRYING,
                Instant.now(),
                Instant.now().minusSeconds(1),
                null,
                null,
                null)));
    ClaimedJob again = claim(1).get(0);
    assertThat(again.checkpointJson()).contains("2");
    assertThat(again.failedItemsJson()).contains("o-1");
  }

  // ---------------------------------------------------------------- engine level

  @Test
  void handlerRunsAndItsResultIsStored() {
    Offload o =
        start(
            offload()
                .register(
                    "echo",
                    Note.class,
                    (args, ctx) -> Map.of("echo", args.text(), "attempt", ctx.attempt())));
    JobId id = o.enqueue("echo", new Note("hello"));
    Job job = awaitState(o, id, JobState.SUCCEEDED);
    assertThat(job.result().get("echo").asText()).isEqualTo("hello");
    assertThat(job.result().get("attempt").asInt()).isEqualTo(1);
    assertThat(job.node()).isEqualTo(o.node());
  }

  @Test
  void argsThatDoNotFitTheKindAreRefusedAtEnqueueOnANodeThatKnowsIt() {
    Offload o = start(offload().register("typed", Sleep.class, (args, ctx) -> null));
    assertThatThrownBy(() -> o.enqueue("typed", Map.of("ms", "not a number")))
        .isInstanceOf(dev.offload.OffloadException.InvalidJobException.class)
        .hasMessageStartingWith("ms: expected a number")
        .satisfies(e ->
            assertThat(((dev.offload.OffloadException.InvalidJobException) e).field())
                .isEqualTo("args.ms"));
    assertThat(store.jobList(JobQuery.all()).jobs()).isEmpty();
  }

  @Test
  void argsThatDoNotFitTheHandlerSendTheJobToDead() {
    Offload o = start(offload().register("typed", Sleep.class, (args, ctx) -> null));
    // Enqueued by a node that does not know the kind, so nothing checked the args before the
    // worker.
    Offload client = offload().build();
    JobId id =
        client.enqueue(
            "typed", Map.of("ms", "not a number"), EnqueueOptions.none().allowUnknownKind());
    Job job = awaitState(o, id, JobState.DEAD);
    assertThat(job.errors())
        .singleElement()
        .extracting(e -> e.message())
        .asString()
        .contains("args do not match Sleep");
  }

  @Test
  void timeoutInterruptsTheHandlerAndCountsAsAFailure() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    Offload o =
        start(
            offload()
                .register(
                    "slow",
                    Note.class,
                    (args, ctx) -> {
                      try {
                        Thread.sleep(60_000);
                      } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                      }
                      return null;
                    },
                    JobOptions.defaults().timeout(Duration.ofMillis(200)).maxAttempts(1)));
    JobId id = o.enqueue("slow", new Note("x"));
    Job job = awaitState(o, id, JobState.DEAD);
    // The interrupt is sent before the outcome is written, but the handler's thread may see it
    // after.
    assertThat(interrupted.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(job.errors())
        .singleElement()
        .extracting(e -> e.message())
        .asString()
        .contains("timed out");
  }

  @Test
  void expiredLeaseIsRescuedAndRunAgain() {
    Offload o =
        start(
            offload()
                .register(
                    "k",
                    Note.class,
                    (args, ctx) -> "second try",
                    JobOptions.defaults().retryPolicy(RetryPolicy.immediate()))
                .rescueInterval(Duration.ofMillis(100)));
    // A worker that died: it claimed the job and its lease ran out.
    long id =
        store
            .jobInsertMany(List.of(insert("k", "elsewhere", 0, Instant.now().minusSeconds(1))))
            .get(0);
    claim("elsewhere", 1, List.of("k"), Duration.ofMillis(-1));
    await().atMost(Duration.ofSeconds(10)).until(() -> get(id).state() == JobState.RETRYING);
    Job rescued = get(id);
    assertThat(rescued.errors())
        .singleElement()
        .satisfies(e -> {
          assertThat(e.message()).contains("lost worker").contains("node-a");
          assertThat(e.attempt()).isEqualTo(1);
        });
    assertThat(o.rescueNow()).isZero();
  }

  @Test
  void lostWorkerOnTheLastAttemptEndsDead() {
    Offload o = offload().register("k", Note.class, (args, ctx) -> null).build();
    JobInsert one =
        StoreFixtures.job(
            "k", "default", 0, "{}", 1, JobState.AVAILABLE, Instant.now(), Instant.now());
    long id = store.jobInsertMany(List.of(one)).get(0);
    claim("default", 1, List.of("k"), Duration.ofMillis(-1));
    assertThat(o.rescueNow()).isEqualTo(1);
    assertThat(get(id).state()).isEqualTo(JobState.DEAD);
  }

  @Test
  void gracefulShutdownReleasesJobsStillRunningAfterTheGrace() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    Offload o =
        offload()
            .register(
                "stubborn",
                Note.class,
                (args, ctx) -> {
                  running.countDown();
                  Thread.sleep(60_000);
                  return null;
                })
            .build();
    o.start();
    JobId id = o.enqueue("stubborn", new Note("x"));
    assertThat(running.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    o.stop();
    Job job = o.job(id).orElseThrow();
    assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
    assertThat(job.attempt()).isZero();
    assertThat(job.errors()).isEmpty();
  }

  @Test
  void gracefulShutdownLetsQuickJobsFinish() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Offload o =
        offload()
            .shutdownGrace(Duration.ofSeconds(10))
            .register(
                "quick",
                Note.class,
                (args, ctx) -> {
                  running.countDown();
                  release.await();
                  return "finished";
                })
            .build();
    o.start();
    JobId id = o.enqueue("quick", new Note("x"));
    assertThat(running.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    Thread stopper = Thread.ofPlatform().start(o::stop);
    release.countDown();
    stopper.join(15_000);
    assertThat(o.job(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void unknownKindIsRefusedUnlessAllowedOrAnnounced() {
    Offload client = offload().build();
    assertThatThrownBy(() -> client.enqueue("nobody.knows", Map.of()))
        .isInstanceOf(UnknownKindException.class)
        .hasMessageContaining("nobody.knows");
    assertThat(store.jobList(JobQuery.all()).jobs()).isEmpty();

    JobId allowed =
        client.enqueue("nobody.knows", Map.of(), EnqueueOptions.none().allowUnknownKind());
    assertThat(client.job(allowed)).isPresent();

    store.kindAnnounce(List.of("remote.kind"), Instant.now());
    assertThat(client.job(client.enqueue("remote.kind", Map.of()))).isPresent();
  }

  @Test
  void oversizedArgsAreRefusedAndNothingIsWritten() {
    Offload client = offload().maxArgsBytes(100).register("k", Note.class, (a, c) -> null).build();
    List<JobRequest> batch =
        List.of(
            JobRequest.of("k", new Note("small")), JobRequest.of("k", new Note("x".repeat(200))));
    assertThatThrownBy(() -> client.enqueueAll(batch))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("job 2 of 2")
        .hasMessageContaining("over the limit of 100 bytes");
    assertThat(store.jobList(JobQuery.all()).jobs()).isEmpty();
  }

  /** The same store, counting calls by method name: the writes the engine makes are observable. */
  private Store counting(Map<String, AtomicInteger> calls) {
    return (Store)
        java.lang.reflect.Proxy.newProxyInstance(
            Store.class.getClassLoader(),
            new Class<?>[] {Store.class},
            (proxy, method, args) -> {
              calls.computeIfAbsent(method.getName(), k -> new AtomicInteger()).incrementAndGet();
              try {
                return method.invoke(store, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void progressInAHotLoopIsWrittenAtMostOncePerInterval() {
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    long[] counted = new long[1];
    Offload o =
        start(
            Offload.builder()
                .store(counting(calls))
                .migrate(false)
                .pollInterval(Duration.ofMillis(50))
                .progressInterval(Duration.ofMillis(200))
                .register(
                    "hot",
                    Note.class,
                    (args, ctx) -> {
                      long deadline = System.nanoTime() + 1_500_000_000L;
                      ctx.total(Long.MAX_VALUE);
                      long n = 0;
                      while (System.nanoTime() < deadline) {
                        for (int i = 0; i < 1_000; i++) {
                          ctx.advance(1);
                        }
                        n += 1_000;
                      }
                      ctx.total(n);
                      counted[0] = n;
                      return null;
                    }));
    JobId id = o.enqueue("hot", new Note("x"));
    Job job = awaitState(o, id, JobState.SUCCEEDED);
    assertThat(counted[0]).isGreaterThan(100_000);
    assertThat(job.progress().done()).isEqualTo(counted[0]);
    assertThat(job.progress().percent()).isEqualTo(100.0);
    // 1.5 s at one write per 200 ms: about 8 progress writes, however many million advances.
    int writes = calls.getOrDefault("jobProgressMany", new AtomicInteger()).get();
    assertThat(writes).isBetween(2, 12);
  }

  @Test
  void watcherSeesStagesInOrderAndTheFinalState() throws Exception {
    CountDownLatch inImport = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    Offload o =
        start(
            offload()
                .progressInterval(Duration.ofMillis(100))
                .register(
                    "staged",
                    Note.class,
                    (args, ctx) -> {
                      ctx.stages(
                          dev.offload.Job.Stage.of("fetch", 1),
                          dev.offload.Job.Stage.of("import", 3));
                      ctx.stage("fetch", 10);
                      ctx.advance(10);
                      ctx.stage("import", 100);
                      ctx.advance(50);
                      ctx.message("Imported 50 of 100");
                      inImport.countDown();
                      proceed.await();
                      ctx.advance(50);
                      return "ok";
                    }));
    JobId id = o.enqueue("staged", new Note("x"));
    List<Job> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (AutoCloseable w = o.watch(id, seen::add)) {
      assertThat(inImport.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() ->
              seen.stream()
                  .anyMatch(j ->
                      j.progress() != null
                          && "import".equals(j.progress().stage())
                          && j.progress().done() == 50));
      Job mid =
          seen.stream()
              .filter(j -> j.progress() != null && j.progress().done() == 50)
              .findFirst()
              .orElseThrow();
      // fetch done (1) plus half of import (1.5) of 4.
      assertThat(mid.progress().percent()).isEqualTo(62.5);
      assertThat(mid.progress().message()).isEqualTo("Imported 50 of 100");
      assertThat(mid.progress().stages())
          .extracting(s -> s.name())
          .containsExactly("fetch", "import");
      proceed.countDown();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !seen.isEmpty() && seen.get(seen.size() - 1).state() == JobState.SUCCEEDED);
    }
    Job last = seen.get(seen.size() - 1);
    assertThat(last.progress().percent()).isEqualTo(100.0);
    assertThat(last.progress().stages()).allSatisfy(s -> assertThat(s.durationMs()).isNotNull());
  }

  record Cursor(int page) {}

  record Batch(List<String> items) {}

  @Test
  void failedItemsAfterTheLastCheckpointAreNotCountedTwiceWhenTheAttemptIsRetried() {
    Offload o =
        start(
            offload()
                .register(
                    "resumes",
                    Note.class,
                    (args, ctx) -> {
                      int from = ctx.checkpoint(Cursor.class).map(Cursor::page).orElse(0);
                      for (int page = from; page < 4; page++) {
                        if (page == 2) {
                          ctx.itemFailed("record-2", "malformed");
                        }
                        if (page == 3 && ctx.attempt() == 1) {
                          throw new IllegalStateException("connection reset");
                        }
                        if (page < 2) {
                          ctx.checkpoint(
                              new Cursor(page + 1)); // the last checkpoint is before record-2
                        }
                      }
                      return null;
                    },
                    JobOptions.defaults().retryPolicy(RetryPolicy.immediate())));
    Job job = awaitState(o, o.enqueue("resumes", new Note("x")), JobState.SUCCEEDED);
    assertThat(job.attempt()).isEqualTo(2);
    assertThat(job.failedItems().count()).isEqualTo(1);
    assertThat(job.failedItems().items()).extracting(i -> i.key()).containsExactly("record-2");
  }

  @Test
  void failedItemsAreRecordedAndRetriedInAFollowUpJob() {
    List<String> processedByFollowUp = new java.util.concurrent.CopyOnWriteArrayList<>();
    Offload o =
        start(
            offload()
                .register(
                    "bulk",
                    Batch.class,
                    (args, ctx) -> {
                      List<String> items =
                          ctx.retryItems().isEmpty() ? args.items() : ctx.retryItems();
                      int ok = 0;
                      for (String item : items) {
                        if (!ctx.retryItems().isEmpty()) {
                          processedByFollowUp.add(item);
                          ok++;
                        } else if (item.startsWith("bad")) {
                          ctx.itemFailed(
                              item,
                              new IllegalArgumentException("record " + item + " is malformed"));
                        } else {
                          ok++;
                        }
                      }
                      return Map.of("imported", ok);
                    }));
    JobId id = o.enqueue("bulk", new Batch(List.of("a", "bad-1", "b", "bad-2", "c")));
    Job job = awaitState(o, id, JobState.SUCCEEDED);
    assertThat(job.result().get("imported").asInt()).isEqualTo(3);
    assertThat(job.failedItems().count()).isEqualTo(2);
    assertThat(job.failedItems().items())
        .extracting(i -> i.key())
        .containsExactly("bad-1", "bad-2");
    assertThat(job.failedItems().items().get(0).error())
        .isEqualTo("IllegalArgumentException: record bad-1 is malformed");
    assertThat(job.progress().failedItems()).isEqualTo(2);

    JobId followUp = o.retryFailedItems(id);
    Job retried = awaitState(o, followUp, JobState.SUCCEEDED);
    assertThat(retried.parentId()).isEqualTo(id);
    assertThat(retried.kind()).isEqualTo("bulk");
    assertThat(processedByFollowUp).containsExactly("bad-1", "bad-2");
    assertThat(retried.failedItems()).isNull();
    assertThatThrownBy(() -> o.retryFailedItems(followUp)).hasMessageContaining("no failed items");
  }

  // ---------------------------------------------------------------- failure handling

  static final class UpstreamGone extends RuntimeException {
    UpstreamGone(String message) {
      super(message);
    }
  }

  @Test
  void exceptionTypesDeclaredPermanentGoStraightToDead() {
    Offload o =
        start(
            offload()
                .register(
                    "gone",
                    Note.class,
                    (args, ctx) -> {
                      throw new UpstreamGone("tenant deleted");
                    },
                    JobOptions.defaults().maxAttempts(5).permanentOn(UpstreamGone.class)));
    Job job = awaitState(o, o.enqueue("gone", new Note("x")), JobState.DEAD);
    assertThat(job.attempt()).isEqualTo(1);
  }

  @Test
  void retryPolicyNoneMeansTheFirstFailureIsFinal() {
    Offload o =
        start(
            offload()
                .register(
                    "once",
                    Note.class,
                    (args, ctx) -> {
                      throw new IllegalStateException("no");
                    },
                    JobOptions.defaults().maxAttempts(5).retryPolicy(RetryPolicy.none())));
    assertThat(awaitState(o, o.enqueue("once", new Note("x")), JobState.DEAD).attempt())
        .isEqualTo(1);
  }

  @Test
  void aHandlerThatYieldsBeforeItsTimeoutIsContinuedFromItsCheckpointWithoutUsingAnAttempt() {
    List<Integer> runsFrom = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Instant> deadlines = new java.util.concurrent.CopyOnWriteArrayList<>();
    Duration timeout = Duration.ofSeconds(5);
    Offload o =
        start(
            offload()
                .register(
                    "sync",
                    Note.class,
                    (args, ctx) -> {
                      int from = ctx.checkpoint(Cursor.class).map(Cursor::page).orElse(0);
                      runsFrom.add(from);
                      deadlines.add(ctx.deadline().orElseThrow());
                      for (int page = from; page < 3; page++) {
                        if (ctx.shouldYield()) {
                          ctx.checkpoint(new Cursor(page));
                          return "not finished"; // a continuation's return is not the result
                        }
                        if (page == 1 && ctx.attempt() == 1 && runsFrom.size() == 1) {
                          // Page 1 takes the rest of the attempt's time: wait until told to yield.
                          await().atMost(Duration.ofSeconds(20)).until(ctx::shouldYield);
                        }
                      }
                      return "synced from " + runsFrom;
                    },
                    JobOptions.defaults().timeout(timeout).maxAttempts(1)));
    JobId id = o.enqueue("sync", new Note("x"));
    Job job = awaitState(o, id, JobState.SUCCEEDED);
    assertThat(job.result().asText()).isEqualTo("synced from [0, 2]");
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.errors()).isEmpty();
    // Each run's deadline is its own start plus the kind's timeout.
    assertThat(deadlines).hasSize(2);
    assertThat(deadlines.get(1)).isAfter(deadlines.get(0));
    assertThat(Duration.between(job.startedAt(), deadlines.get(1)).abs().minus(timeout).abs())
        .isLessThan(Duration.ofMillis(1));
  }

  @Test
  void aKindWithoutTimeoutHasNoDeadlineAndYieldsOnlyWhenCancelled() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    List<Object> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Offload o =
        start(
            offload()
                .register(
                    "open-ended",
                    Note.class,
                    (args, ctx) -> {
                      seen.add(ctx.deadline().isPresent());
                      seen.add(ctx.shouldYield());
                      running.countDown();
                      // Spins rather than waits: the cancel interrupts the thread, and a wait would
                      // end on the interrupt instead of on shouldYield().
                      while (!ctx.shouldYield()) {
                        Thread.onSpinWait();
                      }
                      seen.add(ctx.isCancelled());
                      return null;
                    }));
    JobId id = o.enqueue("open-ended", new Note("x"));
    assertThat(running.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    o.cancel(id);
    awaitState(o, id, JobState.CANCELLED);
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
    assertThat(seen).containsExactly(false, false, true);
  }

  @Test
  void deadJobsCanBeListedByKindQueueErrorAndTimeThenReplayedWithTheirHistory() {
    List<String> deaths = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger attempts = new AtomicInteger();
    Offload o =
        start(
            offload()
                .listener(
                    new dev.offload.Offload.JobListener() {
                      @Override
                      public void onDead(Job job) {
                        deaths.add(job.kind() + ":" + job.id());
                      }
                    })
                .register(
                    "sync",
                    Note.class,
                    (args, ctx) -> {
                      ctx.checkpoint(new Cursor(7));
                      if (attempts.incrementAndGet() <= 2) {
                        throw new IllegalStateException("upstream 500");
                      }
                      return "replayed from page "
                          + ctx.checkpoint(Cursor.class).orElseThrow().page();
                    },
                    JobOptions.defaults().maxAttempts(1))
                .register(
                    "mail",
                    Note.class,
                    (args, ctx) -> {
                      throw new IllegalArgumentException("bad address");
                    },
                    JobOptions.defaults().maxAttempts(1).queue("mail")));
    Instant before = Instant.now().minusSeconds(1);
    JobId sync1 = o.enqueue("sync", new Note("1"));
    JobId mail = o.enqueue("mail", new Note("2"));
    awaitState(o, sync1, JobState.DEAD);
    awaitState(o, mail, JobState.DEAD);
    JobId sync2 = o.enqueue("sync", new Note("3"));
    awaitState(o, sync2, JobState.DEAD);

    var dead = dev.offload.Job.JobFilter.dead();
    assertThat(o.jobs(JobQuery.of(dead)).jobs()).hasSize(3);
    assertThat(o.jobs(JobQuery.of(dead.kind("sync"))).jobs())
        .extracting(Job::id)
        .containsExactly(sync2, sync1);
    assertThat(o.jobs(JobQuery.of(dead.queue("mail"))).jobs())
        .extracting(Job::id)
        .containsExactly(mail);
    assertThat(
            o.jobs(JobQuery.of(dead.errorClass(IllegalArgumentException.class.getName()))).jobs())
        .extracting(Job::id)
        .containsExactly(mail);
    assertThat(o.jobs(JobQuery.of(dead.finishedAfter(before))).jobs()).hasSize(3);
    assertThat(o.jobs(JobQuery.of(dead.finishedBefore(before))).jobs()).isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> deaths.size() == 3);
    assertThat(deaths).contains("mail:" + mail);

    // Replaying by filter keeps the errors and the checkpoint, with fresh attempts.
    assertThat(o.replay(dead.kind("sync"))).isEqualTo(2);
    Job replayed = awaitState(o, sync1, JobState.SUCCEEDED);
    awaitState(o, sync2, JobState.SUCCEEDED);
    assertThat(replayed.attempt()).isEqualTo(1);
    assertThat(replayed.errors()).extracting(e -> e.message()).containsExactly("upstream 500");
    assertThat(replayed.result().asText()).isEqualTo("replayed from page 7");

    assertThat(o.purge(dead.queue("mail"))).isEqualTo(1);
    assertThat(o.job(mail)).isEmpty();
    assertThat(o.jobs(JobQuery.of(dead)).jobs()).isEmpty();
  }

  @Test
  void retryAndDeleteCheckTheJobsState() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    Offload o =
        start(
            offload()
                .register(
                    "block",
                    Note.class,
                    (args, ctx) -> {
                      running.countDown();
                      Thread.sleep(60_000);
                      return null;
                    })
                .register(
                    "fail",
                    Note.class,
                    (args, ctx) -> {
                      throw new IllegalStateException("x");
                    },
                    JobOptions.defaults().maxAttempts(1)));
    JobId blocked = o.enqueue("block", new Note("x"));
    assertThat(running.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> o.retry(blocked))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("running");
    assertThatThrownBy(() -> o.delete(blocked))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cancel it");
    assertThatThrownBy(() -> o.retry(new JobId(987_654_321L)))
        .isInstanceOf(dev.offload.OffloadException.NoSuchJobException.class);

    JobId dead = o.enqueue("fail", new Note("y"));
    awaitState(o, dead, JobState.DEAD);
    o.delete(dead);
    assertThat(o.job(dead)).isEmpty();

    JobId later =
        o.enqueue("fail", new Note("z"), EnqueueOptions.none().delay(Duration.ofHours(1)));
    o.retry(later); // a scheduled job runs now
    awaitState(o, later, JobState.DEAD);
  }

  @Test
  void cancellingAPendingJobIsImmediate() {
    Offload client = offload().register("k", Note.class, (a, c) -> null).build();
    JobId id = client.enqueue("k", new Note("x"), EnqueueOptions.none().delay(Duration.ofHours(1)));
    assertThat(client.cancel(id)).isEqualTo(JobState.CANCELLED);
    Job job = client.job(id).orElseThrow();
    assertThat(job.state()).isEqualTo(JobState.CANCELLED);
    assertThat(job.finishedAt()).isNotNull();
    assertThatThrownBy(() -> client.cancel(new JobId(987_654_321L)))
        .isInstanceOf(dev.offload.OffloadException.NoSuchJobException.class);
    JobId done = client.enqueue("k", new Note("y"));
    store.jobDelete(done.value());
    assertThatThrownBy(() -> client.cancel(done))
        .isInstanceOf(dev.offload.OffloadException.NoSuchJobException.class);
  }

  @Test
  void cancellingARunningJobInterruptsItAndItIsNeverRetried() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    boolean[] sawCancelled = new boolean[1];
    Offload worker =
        start(
            offload()
                .register(
                    "long",
                    Note.class,
                    (args, ctx) -> {
                      runs.incrementAndGet();
                      running.countDown();
                      try {
                        Thread.sleep(60_000);
                      } catch (InterruptedException e) {
                        sawCancelled[0] = ctx.isCancelled();
                        throw e;
                      }
                      return null;
                    }));
    // The cancel comes from another node: a client with its own Offload.
    Offload client = offload().build();
    JobId id = client.enqueue("long", new Note("x"), EnqueueOptions.none().allowUnknownKind());
    assertThat(running.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(client.cancel(id)).isEqualTo(JobState.RUNNING);
    Job job = awaitState(client, id, JobState.CANCELLED);
    assertThat(sawCancelled[0]).isTrue();
    assertThat(job.finishedAt()).isNotNull();
    assertThat(worker.job(id).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    // Cancelling again is a conflict (HTTP 409), as for a succeeded job, and changes nothing.
    assertThatThrownBy(() -> client.cancel(id))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cancelled already");
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  void aHandlerThatIgnoresInterruptsIsAbandonedAndTheQueueMovesOn() {
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    Offload o =
        start(
            offload()
                .queue("default", 1)
                .register(
                    "stubborn",
                    Note.class,
                    (args, ctx) -> {
                      while (!stop.get()) {
                        Thread.onSpinWait(); // ignores the interrupt on purpose
                      }
                      return "too late";
                    },
                    JobOptions.defaults().timeout(Duration.ofMillis(200)).maxAttempts(1))
                .register("next", Note.class, (args, ctx) -> "ran"));
    try {
      JobId stubborn = o.enqueue("stubborn", new Note("x"));
      Job dead = awaitState(o, stubborn, JobState.DEAD);
      assertThat(dead.errors())
          .singleElement()
          .extracting(e -> e.message())
          .asString()
          .contains("timed out");
      // The one slot of the queue is free again although the abandoned thread still spins.
      assertThat(
              awaitState(o, o.enqueue("next", new Note("y")), JobState.SUCCEEDED).result().asText())
          .isEqualTo("ran");
    } finally {
      stop.set(true);
    }
    assertThat(
            o.job(o.jobs(JobQuery.all().kind("stubborn")).jobs().get(0).id())
                .orElseThrow()
                .result())
        .isNull();
  }

  @Test
  void finishedJobsArePrunedAfterTheirRetention() {
    Offload o = offload().retention(Duration.ofDays(7)).deadRetention(Duration.ofDays(30)).build();
    Instant now = Instant.now();
    long oldSucceeded = finished(JobState.SUCCEEDED, now.minus(Duration.ofDays(8)));
    long newSucceeded = finished(JobState.SUCCEEDED, now.minus(Duration.ofDays(6)));
    long oldCancelled = finished(JobState.CANCELLED, now.minus(Duration.ofDays(8)));
    long youngDead = finished(JobState.DEAD, now.minus(Duration.ofDays(8)));
    long oldDead = finished(JobState.DEAD, now.minus(Duration.ofDays(31)));
    assertThat(o.pruneNow()).isEqualTo(3);
    assertThat(store.jobGet(oldSucceeded)).isEmpty();
    assertThat(store.jobGet(oldCancelled)).isEmpty();
    assertThat(store.jobGet(oldDead)).isEmpty();
    assertThat(store.jobGet(newSucceeded)).isPresent();
    assertThat(store.jobGet(youngDead)).isPresent();
  }

  private long finished(JobState state, Instant at) {
    long id = store.jobInsertMany(List.of(insert("k"))).get(0);
    claim(1);
    store.jobCompleteMany(
        List.of(StoreFixtures.completion(id, 42L, state, at, null, null, null, null)));
    return id;
  }

  @Test
  void pausedQueueIsNotClaimedUntilResumed() {
    Offload o = start(offload().register("k", Note.class, (a, c) -> "done"));
    o.pauseQueue("default");
    JobId id = o.enqueue("k", new Note("x"));
    await()
        .during(Duration.ofMillis(400))
        .atMost(Duration.ofSeconds(2))
        .until(() -> o.job(id).orElseThrow().state() == JobState.AVAILABLE);
    dev.offload.Offload.QueueStats stats =
        o.queues().stream().filter(q -> q.name().equals("default")).findFirst().orElseThrow();
    assertThat(stats.paused()).isTrue();
    assertThat(stats.count(JobState.AVAILABLE)).isEqualTo(1);
    o.resumeQueue("default");
    awaitState(o, id, JobState.SUCCEEDED);
    dev.offload.Offload.QueueStats after =
        o.queues().stream().filter(q -> q.name().equals("default")).findFirst().orElseThrow();
    assertThat(after.paused()).isFalse();
    assertThat(after.count(JobState.SUCCEEDED)).isEqualTo(1);
    assertThat(after.finishedLastMinute()).isEqualTo(1);
    assertThat(after.runP50Ms()).isNotNull();
  }

  // ---------------------------------------------------------------- inline or background

  @Test
  void sameIdempotencyKeyGivesTheSameJob() {
    Offload client = offload().register("k", Note.class, (a, c) -> null).build();
    EnqueueOptions keyed = EnqueueOptions.none().idempotencyKey("order-17-confirmation");
    JobId first = client.enqueue("k", new Note("x"), keyed);
    JobId again = client.enqueue("k", new Note("x"), keyed);
    JobId other =
        client.enqueue(
            "k", new Note("x"), EnqueueOptions.none().idempotencyKey("order-18-confirmation"));
    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    List<JobId> batch =
        client.enqueueAll(
            List.of(JobRequest.of("k", new Note("a")), JobRequest.of("k", new Note("x"), keyed)));
    assertThat(batch.get(1)).isEqualTo(first);
    assertThat(client.job(first).orElseThrow().args().get("text").asText()).isEqualTo("x");
    assertThat(store.jobList(JobQuery.all()).jobs()).hasSize(3);
  }

  @Test
  void runOrDeferReturnsTheResultInlineOrTheRunningJob() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Offload o =
        start(
            offload()
                .register("quick", Note.class, (args, ctx) -> new Note("echo " + args.text()))
                .register(
                    "slow",
                    Note.class,
                    (args, ctx) -> {
                      release.await();
                      return "late";
                    }));
    dev.offload.Offload.Outcome<Note> inline =
        o.runOrDefer("quick", new Note("hi"), Note.class, Duration.ofSeconds(10));
    assertThat(inline).isInstanceOf(dev.offload.Offload.Outcome.Finished.class);
    assertThat(inline.succeeded()).isTrue();
    assertThat(((dev.offload.Offload.Outcome.Finished<Note>) inline).result())
        .isEqualTo(new Note("echo hi"));

    dev.offload.Offload.Outcome<String> deferred =
        o.runOrDefer("slow", new Note("x"), String.class, Duration.ofMillis(300));
    assertThat(deferred).isInstanceOf(dev.offload.Offload.Outcome.Deferred.class);
    assertThat(deferred.finished()).isFalse();
    assertThat(deferred.job().state()).isIn(JobState.AVAILABLE, JobState.RUNNING);
    assertThat(deferred.progressUrl()).isEqualTo("/api/jobs/" + deferred.id().value());
    release.countDown();
    dev.offload.Offload.Outcome<String> later =
        o.await(deferred.id(), String.class, Duration.ofSeconds(10));
    assertThat(later).isEqualTo(new dev.offload.Offload.Outcome.Finished<>(later.job(), "late"));
  }

  @Test
  void kindStatsAdviseWhichKindsBelongInTheBackground() {
    // Run time is counted on the engine's clock, from claim to completion: a clock moved by hand
    // makes the durations exact however loaded the machine is. "fast" takes no clock time at all,
    // each "slowish" run moves the clock 1.5 s (runs are concurrent, so some see more).
    ScheduleContract.ManualClock clock = new ScheduleContract.ManualClock(Instant.now());
    Offload o =
        start(
            offload()
                .clock(clock)
                .register("fast", Note.class, (a, c) -> null)
                .register(
                    "slowish",
                    Note.class,
                    (a, c) -> {
                      clock.advance(Duration.ofMillis(1_500));
                      return null;
                    }));
    List<JobId> fast = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      fast.add(o.enqueue("fast", new Note("x")));
    }
    // The fast ones end before a slowish one moves the clock under them.
    fast.forEach(id -> awaitState(o, id, JobState.SUCCEEDED));
    List<JobId> slowish = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      slowish.add(o.enqueue("slowish", new Note("y")));
    }
    slowish.forEach(id -> awaitState(o, id, JobState.SUCCEEDED));

    Map<String, dev.offload.Offload.KindStats> stats = new java.util.HashMap<>();
    o.kindStats(Duration.ofMillis(1_000)).forEach(s -> stats.put(s.kind(), s));
    assertThat(stats.get("fast").runs()).isEqualTo(3);
    assertThat(stats.get("fast").maxMs()).isZero();
    assertThat(stats.get("fast").advice()).isEqualTo("inline");
    assertThat(stats.get("slowish").runs()).isEqualTo(3);
    assertThat(stats.get("slowish").p50Ms()).isGreaterThanOrEqualTo(1_500.0);
    assertThat(stats.get("slowish").advice()).isEqualTo("background");
  }

  @Test
  void manyJobsAllSucceedExactlyOnceAcrossTwoNodes() {
    Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    for (int n = 0; n < 2; n++) {
      start(
          offload()
              .queue("default", 8)
              .register(
                  "count",
                  Note.class,
                  (args, ctx) -> {
                    runs.computeIfAbsent(ctx.id().value(), k -> new AtomicInteger())
                        .incrementAndGet();
                    return null;
                  }));
    }
    Offload client = started.get(0);
    List<JobRequest> batch = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      batch.add(JobRequest.of("count", new Note("n" + i)));
    }
    List<JobId> ids = client.enqueueAll(batch);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() ->
            store.jobList(JobQuery.all().state(JobState.SUCCEEDED).limit(1000)).jobs().size()
                == ids.size());
    assertThat(runs).hasSize(ids.size());
    assertThat(runs.values()).allMatch(c -> c.get() == 1);
  }

  // ---------------------------------------------------------------- issue 11: hardening (server
  // slice)

  @Test
  void pingAnswersAndFailsOnceTheStoreIsClosed() {
    store.ping();
    Store closed = newStore();
    closed.close();
    assertThatThrownBy(closed::ping).isInstanceOf(dev.offload.OffloadException.class);
  }

  @Test
  void listingReadsArgsAndResultOnlyWhenAsked() {
    long id = store.jobInsertMany(List.of(insert("k"))).get(0);

    Job lean = store.jobList(JobQuery.all().fields(Set.of())).jobs().get(0);
    Job args = store.jobList(JobQuery.all().fields(Set.of(JobQuery.Field.ARGS))).jobs().get(0);
    Job full = store.jobList(JobQuery.all()).jobs().get(0);

    assertThat(lean.id().value()).isEqualTo(id);
    assertThat(lean.args().isMissingNode()).isTrue();
    assertThat(lean.result().isMissingNode()).isTrue();
    assertThat(lean.runAt()).isEqualTo(full.runAt());
    assertThat(args.args().get("n").asInt()).isEqualTo(1);
    assertThat(args.result().isMissingNode()).isTrue();
    assertThat(full).isEqualTo(get(id));
  }

  @Test
  void runAtAtBothEndsOfTheSupportedRangeRoundTrips() {
    for (Instant runAt :
        List.of(
            EnqueueOptions.EARLIEST_RUN_AT,
            Instant.parse("1582-10-10T00:00:00Z"),
            EnqueueOptions.LATEST_RUN_AT)) {
      long id = store.jobInsertMany(List.of(insert("k", "default", 0, runAt))).get(0);
      assertThat(get(id).runAt()).as(runAt.toString()).isEqualTo(runAt);
    }
  }

  @Test
  void cancelAnswersTheStateTheJobHad() {
    long id = store.jobInsertMany(List.of(insert("k"))).get(0);
    assertThat(store.jobCancel(id, Instant.now())).contains(JobState.AVAILABLE);
    assertThat(get(id).state()).isEqualTo(JobState.CANCELLED);
    assertThat(store.jobCancel(id, Instant.now())).contains(JobState.CANCELLED);
    assertThat(store.jobCancel(id + 1000, Instant.now())).isEmpty();
  }
}
