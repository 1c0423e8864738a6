package dev.offload.postgres;

import static dev.offload.postgres.FlowNodes.maxOverlap;
import static dev.offload.postgres.FlowNodes.shareOfBusyTimeAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.QueueOptions;
import dev.offload.postgres.FlowNodes.Run;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrency limits across real processes: worker JVMs ({@link FlowWorkerMain}, 4 threads each) on
 * one PostgreSQL schema. Each job records its start and end with the database's clock, so the test
 * can measure how many ran at once across all of them.
 */
class FlowControlNodesTest {
  private FlowNodes nodes;

  @BeforeAll
  static void requireDatabase() {
    TestDatabase.requireReachable();
  }

  @BeforeEach
  void createSchema() throws Exception {
    nodes = new FlowNodes(FlowControlNodesTest.class);
  }

  @AfterEach
  void killWorkersAndDropSchema() throws Exception {
    nodes.close();
  }

  static JobRequest work(long ms, String key) {
    Map<String, Object> args = new HashMap<>();
    args.put("ms", ms);
    args.put("key", key);
    EnqueueOptions o = EnqueueOptions.none().allowUnknownKind().queue("flow");
    return JobRequest.of("flow.work", args, key == null ? o : o.concurrencyKey(key));
  }

  @Test
  void aQueueLimitOfFourHoldsAcrossThreeNodesWithTwelveThreadsAndIsUsedUp() throws Exception {
    int jobs = 48;
    try (Offload client = nodes.client()) {
      client.updateQueue("flow", QueueOptions.none().maxRunning(4));
      // All three nodes are polling before the first job exists, so they compete from the start.
      nodes.startWorkers("n1", "n2", "n3");
      List<JobRequest> batch = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        batch.add(work(400, null));
      }
      client.enqueueAll(batch);
    }
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> nodes.succeeded() == jobs);

    List<Run> runs = nodes.runs();
    assertThat(runs).hasSize(jobs);
    assertThat(maxOverlap(runs)).as("jobs at once across 12 threads").isEqualTo(4);
    assertThat(runs.stream().map(Run::node).distinct().count())
        .as("nodes that ran jobs")
        .isGreaterThan(1);
    // The limit is used up, not just respected: while some job runs, four do most of the time. The
    // nodes lease the slots (at first one node takes all four, then the others ask for their
    // share), and a job that ends hands its slot to the next one on its node. A limit split
    // between the nodes for good (at most one or two each) would never reach four.
    double atLimit = shareOfBusyTimeAt(runs, 4);
    System.out.printf(
        "queue limit 4 over 3 nodes: handlers at 4 %.0f%% of the time any ran%n", atLimit * 100);
    assertThat(atLimit)
        .as("share of the busy time with 4 jobs running")
        .isGreaterThanOrEqualTo(0.5);
  }

  @Test
  void aPerKeyLimitOfOneOverFiftyKeysNeverOverlapsAKeyButRunsKeysInParallel() throws Exception {
    int keys = 50;
    int perKey = 4;
    try (Offload client = nodes.client()) {
      client.updateQueue("flow", QueueOptions.none().perKey(1));
      nodes.startWorkers("n1", "n2", "n3");
      List<JobRequest> batch = new ArrayList<>();
      for (int round = 0; round < perKey; round++) {
        for (int k = 0; k < keys; k++) {
          batch.add(work(30, "tenant:" + k));
        }
      }
      client.enqueueAll(batch);
    }
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> nodes.succeeded() == keys * perKey);

    List<Run> runs = nodes.runs();
    assertThat(runs).hasSize(keys * perKey);
    Map<String, List<Run>> byKey = new HashMap<>();
    runs.forEach(r -> byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r));
    assertThat(byKey).hasSize(keys);
    byKey.forEach(
        (key, list) -> assertThat(maxOverlap(list)).as("jobs of %s at once", key).isEqualTo(1));
    assertThat(maxOverlap(runs)).as("jobs of different keys at once").isGreaterThan(1);
    assertThat(runs.stream().map(Run::node).distinct().count())
        .as("nodes that ran jobs")
        .isGreaterThan(1);
  }

  @Test
  void aKilledNodesKeySlotComesBackWhenItsLeaseExpiresWithoutWaitingForTheRescuer()
      throws Exception {
    try (Offload client = nodes.client()) {
      client.updateQueue("flow", QueueOptions.none().perKey(1));
      // A runs for a minute on the victim, holding tenant:1's only slot.
      JobId a = enqueue(client, work(60_000, "tenant:1"));
      Process victim = nodes.startWorker("victim");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.job(a).orElseThrow().state() == JobState.RUNNING);

      JobId b = enqueue(client, work(10, "tenant:1"));
      // The survivor rescues only once a minute: if the slot came back through the rescuer (A
      // moved out of 'running') rather than through the lease's expiry, B would wait that long.
      nodes.startWorker("survivor", "60000");
      // The survivor runs other keys meanwhile, but not tenant:1's next job.
      JobId other = enqueue(client, work(10, "tenant:2"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.job(other).orElseThrow().state() == JobState.SUCCEEDED);
      assertThat(client.job(b).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);

      victim.destroyForcibly();
      assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
      Instant leaseEnd = leaseExpiry(a);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.job(b).orElseThrow().state() == JobState.SUCCEEDED);
      Job aWhenBFinished = client.job(a).orElseThrow();
      assertThat(aWhenBFinished.state())
          .as("A not rescued yet: its expired lease alone freed the slot")
          .isEqualTo(JobState.RUNNING);
      assertThat(aWhenBFinished.attempt()).isEqualTo(1);
      Run runOfB =
          nodes.runs().stream().filter(r -> r.jobId() == b.value()).findFirst().orElseThrow();
      assertThat(runOfB.node()).isEqualTo("survivor");
      assertThat(runOfB.started())
          .as("B started after A's lease expired")
          .isAfterOrEqualTo(leaseEnd);
      System.out.printf(
          "tenant:1's next job started %d ms after the killed node's lease expired%n",
          Duration.between(leaseEnd, runOfB.started()).toMillis());
    }
  }

  @Test
  void aKilledNodesQueueSlotComesBackWhenItsSlotLeaseLapses() throws Exception {
    try (Offload client = nodes.client()) {
      client.updateQueue("flow", QueueOptions.none().maxRunning(1));
      // A runs for a minute on the victim, which leases the queue's only slot.
      JobId a = enqueue(client, work(60_000, null));
      Process victim = nodes.startWorker("victim");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.job(a).orElseThrow().state() == JobState.RUNNING);

      JobId b = enqueue(client, work(10, null));
      // The survivor rescues only once a minute: B can run there only through the victim's slot
      // lease lapsing, not through A being rescued.
      nodes.startWorker("survivor", "60000");
      // The survivor asks for a slot and is refused while the victim's lease holds it.
      await().atMost(Duration.ofSeconds(30)).until(() -> slotLease("survivor") != null);
      assertThat(slotLease("survivor")).as("held, wanted").startsWith(0L, 1L);
      assertThat(client.job(b).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);
      assertThat(client.job(b).orElseThrow().waiting())
          .isEqualTo("waiting: queue flow at its limit of 1");

      victim.destroyForcibly();
      assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long[] victimLease = slotLease("victim");
      assertThat(victimLease).as("the victim's lease, not yet lapsed").isNotNull();
      long victimLeaseEndMicros = victimLease[2];
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.job(b).orElseThrow().state() == JobState.SUCCEEDED);
      Job aWhenBFinished = client.job(a).orElseThrow();
      assertThat(aWhenBFinished.state())
          .as("A not rescued yet: the lapsed slot lease alone freed the slot")
          .isEqualTo(JobState.RUNNING);
      Run runOfB =
          nodes.runs().stream().filter(r -> r.jobId() == b.value()).findFirst().orElseThrow();
      assertThat(runOfB.node()).isEqualTo("survivor");
      Instant leaseEnd = Instant.EPOCH.plus(victimLeaseEndMicros, ChronoUnit.MICROS);
      assertThat(runOfB.started())
          .as("B started after the victim's slot lease lapsed")
          .isAfterOrEqualTo(leaseEnd);
      System.out.printf(
          "the queue's slot went to the survivor %d ms after the killed node's lease lapsed%n",
          Duration.between(leaseEnd, runOfB.started()).toMillis());
    }
  }

  /** A node's lease on the queue's slots: held, wanted, expires (epoch µs); null if none. */
  private long @Nullable [] slotLease(String node) throws Exception {
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT held, wanted, expires_us FROM "
                    + nodes.schema()
                    + ".queue_slots WHERE queue = 'flow' AND node = '"
                    + node
                    + "'")) {
      return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)} : null;
    }
  }

  private static JobId enqueue(Offload client, JobRequest r) {
    return client.enqueue(r.kind(), r.args(), r.options());
  }

  private Instant leaseExpiry(JobId id) throws Exception {
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT lease_expires_at FROM "
                    + nodes.schema()
                    + ".jobs WHERE id = "
                    + id.value())) {
      rs.next();
      return rs.getTimestamp(1).toInstant();
    }
  }
}
