package dev.offload.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.Job.JobError;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.JobOptions.RetryPolicy;
import dev.offload.QueueOptions;
import dev.offload.engine.Node.EngineConfig;
import dev.offload.engine.Node.Registration;
import dev.offload.store.Store;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.Completion;
import dev.offload.store.Store.LeasedJob;
import dev.offload.store.Store.StuckJob;
import dev.offload.testsupport.ScheduleContract.ManualClock;
import dev.offload.testsupport.StoreFixtures;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's background services, each driven one step at a time ({@code runOnce}) against a real
 * store, with a clock the test moves instead of waiting: what one pass of the claimer ({@link
 * Producer}), the {@link Completer}, the heartbeat ({@link LeaseRenewer}), the {@link Rescuer} and
 * the {@link Pruner} does, and when a failed attempt ({@link RetryOrDead}) can be claimed again.
 * The schedules' service ({@link Scheduler}) is stepped the same way in {@code ScheduleContract}.
 * Run by {@code PostgresEngineServicesTest} and {@code SqliteEngineServicesTest}.
 *
 * <p>Two clocks, as in {@link Store}: the engine's clock, which these tests move, decides when a
 * job is due and stamps what the services write; leases are measured on the store's clock, which no
 * test moves. A lease that expired is one claimed or renewed with a negative duration; one that
 * runs has minutes left.
 */
public abstract class EngineServicesContract {
  private static final String NODE = "node-a";
  private static final Duration BACKOFF = Duration.ofMinutes(5);
  private static final Duration RETENTION = Duration.ofHours(1);
  private static final Duration DEAD_RETENTION = Duration.ofDays(1);
  private static final Duration EXPIRED = Duration.ofMillis(-1);
  private static final Duration RUNS_ON = Duration.ofMinutes(1);

  /** A store over a fresh database (schema or file) of this test class's own. */
  protected abstract Store newStore();

  /** Empties the store's tables between tests. */
  protected abstract void truncate() throws Exception;

  record Note(String text) {}

  private Store store;
  private ManualClock clock;
  private Engine engine;
  private Map<String, Registration<?>> registry;
  private final List<List<Completion>> writtenBatches = new ArrayList<>();
  private long nextToken = 1;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
    store.migrate();
    truncate();
    clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    registry =
        Map.of(
            "k",
            new Registration<>("k", Note.class, (args, ctx) -> null, JobOptions.defaults()),
            "flaky",
            new Registration<>(
                "flaky",
                Note.class,
                (args, ctx) -> {
                  throw new IllegalStateException("upstream said 500");
                },
                JobOptions.defaults().maxAttempts(3).retryPolicy(RetryPolicy.fixed(BACKOFF))));
    EngineConfig config =
        new EngineConfig(
            NODE,
            Map.of("default", 1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(30),
            Duration.ofSeconds(10),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            100,
            1 << 20,
            1 << 20,
            RETENTION,
            DEAD_RETENTION,
            List.of(),
            clock,
            List.of(),
            null,
            name -> null);
    // Never started: no thread of its own runs; each test steps the services it is about.
    engine = new Engine(store, registry, config, new Enqueuer(store, registry, config));
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  // ---------------------------------------------------------------- fixtures

  private long insert(String kind, String queue, int priority, Instant runAt, int maxAttempts) {
    Instant now = clock.instant();
    JobState state = runAt.isAfter(now) ? JobState.SCHEDULED : JobState.AVAILABLE;
    return store
        .jobInsertMany(
            List.of(StoreFixtures.job(kind, queue, priority, "{}", maxAttempts, state, runAt, now)))
        .get(0);
  }

  private long insert(String kind) {
    return insert(kind, "default", 0, clock.instant(), 3);
  }

  /** The claimer of {@code queue}, without a free slot: what it claims waits in its buffer. */
  private Producer claimer(String queue) {
    return new Producer(engine, store, queue, List.of("k", "flaky"), /* concurrency= */ 0);
  }

  private static List<Long> ids(List<ClaimedJob> claimed) {
    return claimed.stream().map(ClaimedJob::id).toList();
  }

  /** Claims the next due job of the default queue as {@code node}, its lease {@code lease} long. */
  private LeasedJob claimAs(String node, Duration lease) {
    long token = nextToken++;
    List<ClaimedJob> claimed =
        store.jobClaim(
            StoreFixtures.claim(
                "default", List.of("k", "flaky"), 1, node, token, clock.instant(), lease));
    assertThat(claimed).hasSize(1);
    return new LeasedJob(claimed.get(0).id(), token);
  }

  private Completion ended(LeasedJob lease, JobState state) {
    Instant now = clock.instant();
    Instant runAt = state == JobState.RETRYING ? now.plus(BACKOFF) : null;
    return StoreFixtures.completion(lease.id(), lease.token(), state, now, runAt, null, null, null);
  }

  private Completer completer() {
    return new Completer(store, writtenBatches::add);
  }

  private Job job(long id) {
    return store.jobGet(id).orElseThrow();
  }

  private List<Long> stuck() {
    return store.jobGetStuck(100).stream().map(StuckJob::id).toList();
  }

  // ---------------------------------------------------------------- claimer

  @Test
  void claimerTakesAtMostItsLimitOfDueJobsInPriorityOrder() {
    long low = insert("k", "default", 5, clock.instant(), 3);
    long first = insert("k", "default", 0, clock.instant(), 3);
    long second = insert("k", "default", 1, clock.instant(), 3);
    Producer claimer = claimer("default");

    assertThat(ids(claimer.runOnce(2))).containsExactly(first, second);
    assertThat(ids(claimer.runOnce(2))).containsExactly(low);
    assertThat(claimer.runOnce(2)).isEmpty();
    Job claimed = job(first);
    assertThat(claimed.state()).isEqualTo(JobState.RUNNING);
    assertThat(claimed.node()).isEqualTo(NODE);
    assertThat(claimed.attempt()).isEqualTo(1);
  }

  @Test
  void claimerLeavesAScheduledJobUntilTheClockReachesItsRunAt() {
    Instant runAt = clock.instant().plus(Duration.ofMinutes(10));
    long scheduled = insert("k", "default", 0, runAt, 3);
    Producer claimer = claimer("default");

    assertThat(claimer.runOnce(10)).isEmpty();
    clock.set(runAt.minusMillis(1));
    assertThat(claimer.runOnce(10)).isEmpty();
    clock.set(runAt);
    assertThat(ids(claimer.runOnce(10))).containsExactly(scheduled);
  }

  // ---------------------------------------------------------------- completer

  @Test
  void completerWritesWhatEndedSinceItsLastStepInOneBatchAndIgnoresAStaleEnd() {
    for (int i = 0; i < 4; i++) {
      insert("k");
    }
    LeasedJob succeeded = claimAs(NODE, RUNS_ON);
    LeasedJob retrying = claimAs(NODE, RUNS_ON);
    LeasedJob dead = claimAs(NODE, RUNS_ON);
    LeasedJob other = claimAs(NODE, RUNS_ON);
    Completer completer = completer();
    completer.add(ended(succeeded, JobState.SUCCEEDED));
    completer.add(ended(retrying, JobState.RETRYING));
    completer.add(ended(dead, JobState.DEAD));
    // An attempt that lost its job (rescued, then claimed again under another token).
    completer.add(ended(new LeasedJob(other.id(), other.token() + 1_000), JobState.SUCCEEDED));
    assertThat(job(succeeded.id()).state()).isEqualTo(JobState.RUNNING);
    assertThat(completer.pendingCount()).isEqualTo(4);

    completer.writeNow();

    assertThat(completer.pendingCount()).isZero();
    assertThat(writtenBatches).singleElement().asList().hasSize(4);
    assertThat(job(succeeded.id()).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(job(succeeded.id()).finishedAt()).isEqualTo(clock.instant());
    assertThat(job(retrying.id()).state()).isEqualTo(JobState.RETRYING);
    assertThat(job(retrying.id()).runAt()).isEqualTo(clock.instant().plus(BACKOFF));
    assertThat(job(dead.id()).state()).isEqualTo(JobState.DEAD);
    assertThat(job(other.id()).state()).isEqualTo(JobState.RUNNING);
  }

  @Test
  void aFinishedJobFreesItsKeysSlotOnlyOnceTheCompleterWroteIt() {
    store.queueSettingsPut("limited", QueueOptions.none().perKey(1), false);
    long running = insertKeyed("limited", "tenant:1");
    long waiting = insertKeyed("limited", "tenant:1");
    Producer claimer = claimer("limited");
    List<ClaimedJob> claimed = claimer.runOnce(10);
    assertThat(ids(claimed)).containsExactly(running);
    assertThat(claimer.runOnce(10)).isEmpty();

    Completer completer = completer();
    LeasedJob lease = new LeasedJob(running, claimed.get(0).token());
    completer.add(ended(lease, JobState.SUCCEEDED));
    assertThat(claimer.runOnce(10)).as("ended, not yet written: the slot is held").isEmpty();
    completer.writeNow();
    assertThat(ids(claimer.runOnce(10))).containsExactly(waiting);
  }

  private long insertKeyed(String queue, String key) {
    Instant now = clock.instant();
    return store.jobInsertMany(List.of(StoreFixtures.keyed(queue, key, 0, now, now))).get(0);
  }

  // ---------------------------------------------------------------- heartbeat

  @Test
  void heartbeatRenewsTheLeasesOfThisNodesJobsOnly() {
    insert("k");
    insert("k");
    insert("k");
    LeasedJob mine = claimAs(NODE, EXPIRED);
    LeasedJob alsoMine = claimAs(NODE, EXPIRED);
    LeasedJob theirs = claimAs("node-b", EXPIRED);
    assertThat(stuck()).containsExactlyInAnyOrder(mine.id(), alsoMine.id(), theirs.id());
    // node-a presents node-b's lease too: a heartbeat renews only what its node holds.
    List<LeasedJob> held = List.of(mine, alsoMine, theirs);
    LeaseRenewer heartbeat = new LeaseRenewer(store, NODE, RUNS_ON, () -> held);

    LeaseRenewer.Beat beat = heartbeat.runOnce();

    assertThat(stuck()).containsExactly(theirs.id());
    assertThat(beat.lost()).containsExactly(theirs);
    assertThat(beat.cancelRequested()).isEmpty();
  }

  @Test
  void heartbeatReportsTheLeasesItLostAndTheJobsAUserAskedToCancel() {
    insert("k");
    insert("k");
    LeasedJob rescued = claimAs(NODE, EXPIRED);
    LeasedJob cancelled = claimAs(NODE, RUNS_ON);
    // The node stalled past its lease and the leader's rescuer took the first job.
    assertThat(new Rescuer(store, Map.of(), "node-b", clock).runOnce()).hasSize(1);
    assertThat(store.jobCancel(cancelled.id(), clock.instant())).contains(JobState.RUNNING);
    LeaseRenewer heartbeat =
        new LeaseRenewer(store, NODE, RUNS_ON, () -> List.of(rescued, cancelled));

    LeaseRenewer.Beat beat = heartbeat.runOnce();

    assertThat(beat.lost()).containsExactly(rescued);
    assertThat(beat.cancelRequested()).containsExactly(cancelled.id());
    assertThat(job(rescued.id()).state()).isEqualTo(JobState.RETRYING);
  }

  @Test
  void heartbeatWithNothingHeldAsksTheStoreNothing() {
    LeaseRenewer heartbeat = new LeaseRenewer(store, NODE, RUNS_ON, List::of);
    assertThat(heartbeat.runOnce()).isEqualTo(LeaseRenewer.Beat.NONE);
  }

  // ---------------------------------------------------------------- rescuer

  @Test
  void rescuerEndsTheAttemptOfAJobWhoseLeaseExpiredAndSchedulesItsRetryByTheKindsPolicy() {
    long id = insert("flaky");
    LeasedJob lease = claimAs("node-x", RUNS_ON);
    Rescuer rescuer = new Rescuer(store, registry, NODE, clock);
    assertThat(rescuer.runOnce()).as("the lease still runs").isEmpty();
    assertThat(job(id).state()).isEqualTo(JobState.RUNNING);

    // node-x went silent: its last renewal ran out.
    store.jobHeartbeat("node-x", List.of(lease), EXPIRED);
    clock.advance(Duration.ofSeconds(42));
    assertThat(rescuer.runOnce()).extracting(Completion::id).containsExactly(id);

    Job rescued = job(id);
    assertThat(rescued.state()).isEqualTo(JobState.RETRYING);
    assertThat(rescued.attempt()).isEqualTo(1);
    assertThat(rescued.runAt()).isEqualTo(clock.instant().plus(BACKOFF));
    JobError error = rescued.errors().get(0);
    assertThat(error.attempt()).isEqualTo(1);
    assertThat(error.at()).isEqualTo(clock.instant());
    assertThat(error.node()).isEqualTo(NODE);
    assertThat(error.errorClass()).isEqualTo("dev.offload.LostWorker");
    assertThat(error.message()).contains("node-x").contains("attempt 1");
    assertThat(rescuer.runOnce()).as("rescued once").isEmpty();
  }

  @Test
  void rescuerEndsALostWorkersLastAttemptDead() {
    long id = insert("flaky", "default", 0, clock.instant(), 1);
    claimAs("node-x", EXPIRED);
    assertThat(new Rescuer(store, registry, NODE, clock).runOnce()).hasSize(1);
    Job dead = job(id);
    assertThat(dead.state()).isEqualTo(JobState.DEAD);
    assertThat(dead.finishedAt()).isEqualTo(clock.instant());
  }

  // ---------------------------------------------------------------- retries

  @Test
  void aFailedAttemptIsDueAfterItsBackoffAndClaimedOnlyOnceTheClockReachesIt() {
    long id = insert("flaky");
    Instant failedAt = clock.instant();
    assertThat(engine.runOneNow("default")).extracting(ClaimedJob::id).isEqualTo(id);
    Job failed = job(id);
    assertThat(failed.state()).isEqualTo(JobState.RETRYING);
    assertThat(failed.runAt()).isEqualTo(failedAt.plus(BACKOFF));
    Producer claimer = claimer("default");

    clock.advance(BACKOFF.minusMillis(1));
    assertThat(claimer.runOnce(10)).isEmpty();
    clock.advance(Duration.ofMillis(1));
    List<ClaimedJob> again = claimer.runOnce(10);
    assertThat(ids(again)).containsExactly(id);
    assertThat(again.get(0).attempt()).isEqualTo(2);
  }

  @Test
  void aJobThatFailsEveryAttemptEndsDeadAfterItsLastOne() {
    long id = insert("flaky");
    for (int attempt = 1; attempt <= 3; attempt++) {
      assertThat(engine.runOneNow("default")).as("attempt " + attempt).isNotNull();
      clock.advance(BACKOFF);
    }
    Job dead = job(id);
    assertThat(dead.state()).isEqualTo(JobState.DEAD);
    assertThat(dead.errors()).extracting(JobError::attempt).containsExactly(1, 2, 3);
    assertThat(engine.runOneNow("default")).isNull();
  }

  // ---------------------------------------------------------------- pruner

  @Test
  void prunerDeletesFinishedJobsPastTheirRetentionAndNeverOneThatRunsOrWaits() {
    Instant start = clock.instant();
    for (int i = 0; i < 4; i++) {
      insert("k");
    }
    LeasedJob old = claimAs(NODE, RUNS_ON);
    LeasedJob dead = claimAs(NODE, RUNS_ON);
    LeasedJob running = claimAs(NODE, RUNS_ON);
    LeasedJob young = claimAs(NODE, RUNS_ON);
    long cancelled = insert("k");
    long waiting = insert("k", "default", 0, start.plus(Duration.ofDays(30)), 3);
    store.jobCompleteMany(List.of(ended(old, JobState.SUCCEEDED), ended(dead, JobState.DEAD)));
    assertThat(store.jobCancel(cancelled, clock.instant())).contains(JobState.AVAILABLE);
    clock.advance(Duration.ofMinutes(30));
    store.jobCompleteMany(List.of(ended(young, JobState.SUCCEEDED)));
    Pruner pruner = new Pruner(store, RETENTION, DEAD_RETENTION, clock);

    clock.set(start.plus(RETENTION));
    assertThat(pruner.runOnce()).as("exactly one retention old: kept").isZero();

    clock.set(start.plus(RETENTION).plusMillis(1));
    assertThat(pruner.runOnce()).isEqualTo(2);
    assertThat(store.jobGet(old.id())).isEmpty();
    assertThat(store.jobGet(cancelled)).isEmpty();
    assertThat(store.jobGet(young.id())).isPresent();
    assertThat(store.jobGet(dead.id())).as("dead jobs are kept longer").isPresent();

    clock.set(start.plus(DEAD_RETENTION).plusMillis(1));
    assertThat(pruner.runOnce()).isEqualTo(2);
    assertThat(store.jobGet(dead.id())).isEmpty();
    assertThat(store.jobGet(young.id())).isEmpty();
    assertThat(job(running.id()).state()).isEqualTo(JobState.RUNNING);
    assertThat(job(waiting).state()).isEqualTo(JobState.SCHEDULED);
  }
}
