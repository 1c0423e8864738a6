package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.Enqueued;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.Offload;
import dev.offload.QueueOptions;
import dev.offload.QueueOptions.Rate;
import dev.offload.postgres.FlowNodes.Child;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rates and unique jobs across real processes: worker JVMs ({@link FlowWorkerMain}) sharing one
 * rate, and enqueueing JVMs ({@link UniqueEnqueuerMain}) racing on one unique key.
 */
class FlowRateAndUniqueNodesTest {
  private FlowNodes nodes;

  @BeforeAll
  static void requireDatabase() {
    TestDatabase.requireReachable();
  }

  @BeforeEach
  void createSchema() throws Exception {
    nodes = new FlowNodes(FlowRateAndUniqueNodesTest.class);
  }

  @AfterEach
  void killChildrenAndDropSchema() throws Exception {
    nodes.close();
  }

  // ---------------------------------------------------------------- rate

  @Test
  void aRateOfTwentyASecondHoldsAcrossThreeNodesInEverySlidingSecond() throws Exception {
    int jobs = 230;
    try (Offload client = nodes.client()) {
      client.updateQueue("flow", QueueOptions.none().rate(Rate.perSecond(20)));
      nodes.recordStateChanges();
      nodes.startWorkers("n1", "n2", "n3");
      List<JobRequest> batch = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        batch.add(FlowControlNodesTest.work(10, null));
      }
      client.enqueueAll(batch);
    }
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> nodes.succeeded() == jobs);

    assertThat(claimedMoreThanOnce()).as("jobs claimed more than once").isEmpty();
    List<Claim> claims = claims();
    assertThat(claims).hasSize(jobs);
    int second = mostSurelyWithin(claims, 1_000_000);
    int tenSeconds = mostSurelyWithin(claims, 10_000_000);
    int tenSecondsAtBest = mostPossiblyWithin(claims, 10_000_000);
    System.out.printf(
        "rate 20/s over 3 nodes: at most %d starts in a 1-s window, %d to %d in the busiest 10 s;"
            + " starts per second: %s%n",
        second, tenSeconds, tenSecondsAtBest, perSecond(claims));
    assertThat(second).as("starts in the busiest 1-s window").isLessThanOrEqualTo(21);
    assertThat(tenSeconds).as("starts in the busiest 10-s window").isLessThanOrEqualTo(220);
    assertThat(tenSecondsAtBest)
        .as("starts in the busiest 10-s window")
        .isGreaterThanOrEqualTo(180);
    assertThat(claims.stream().map(Claim::node).distinct().count())
        .as("nodes that claimed jobs")
        .isGreaterThan(1);
  }

  /**
   * One claim as the database saw it. The rate is kept on the database's clock when the claim holds
   * the queue's lock, which no row records; it lies between the claim transaction's start ({@code
   * earliest}, before it waited for the lock) and the moment the claimed row was written ({@code
   * latest}). Under load the two can be far apart, so windows are counted both ways: starts surely
   * inside one (both ends in it) must keep to the rate, and starts possibly inside must reach it.
   */
  record Claim(long earliest, long latest, String node) {}

  /** The most claims that surely fall in one half-open window of {@code widthMicros}. */
  static int mostSurelyWithin(List<Claim> claims, long widthMicros) {
    int best = 0;
    for (Claim from : claims) {
      long a = from.earliest();
      int n = 0;
      for (Claim c : claims) {
        if (c.earliest() >= a && c.latest() < a + widthMicros) {
          n++;
        }
      }
      best = Math.max(best, n);
    }
    return best;
  }

  /** The most claims that may fall in one half-open window of {@code widthMicros}. */
  static int mostPossiblyWithin(List<Claim> claims, long widthMicros) {
    int best = 0;
    for (Claim from : claims) {
      long a = from.latest();
      int n = 0;
      for (Claim c : claims) {
        if (c.latest() >= a && c.earliest() < a + widthMicros) {
          n++;
        }
      }
      best = Math.max(best, n);
    }
    return best;
  }

  /** Claims per second from the first, by when their rows were written, per node. */
  private static java.util.SortedMap<String, List<Integer>> perSecond(List<Claim> claims) {
    long first = claims.stream().mapToLong(Claim::latest).min().orElse(0);
    java.util.SortedMap<String, List<Integer>> out = new java.util.TreeMap<>();
    for (Claim c : claims) {
      List<Integer> counts = out.computeIfAbsent(c.node(), n -> new ArrayList<>());
      int second = (int) ((c.latest() - first) / 1_000_000);
      while (counts.size() <= second) {
        counts.add(0);
      }
      counts.set(second, counts.get(second) + 1);
    }
    return out;
  }

  private List<String> claimedMoreThanOnce() throws Exception {
    List<String> jobs = new ArrayList<>();
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT j.id, j.state, j.attempt, j.errors::text, array_agg(c.at ORDER BY c.at)::text FROM "
                    + nodes.schema()
                    + ".changes c JOIN "
                    + nodes.schema()
                    + ".jobs j ON j.id = c.job_id WHERE c.state = 'running' GROUP BY j.id HAVING count(*) > 1")) {
      while (rs.next()) {
        jobs.add(
            "job %d %s attempt %d, claimed at %s, errors %s"
                .formatted(
                    rs.getLong(1),
                    rs.getString(2),
                    rs.getInt(3),
                    rs.getString(5),
                    rs.getString(4)));
      }
    }
    return jobs;
  }

  private List<Claim> claims() throws Exception {
    List<Claim> claims = new ArrayList<>();
    try (Connection c = TestDatabase.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT tx_start, at, node FROM "
                    + nodes.schema()
                    + ".changes WHERE state = 'running'")) {
      while (rs.next()) {
        claims.add(
            new Claim(
                FlowNodes.micros(rs.getTimestamp(1).toInstant()),
                FlowNodes.micros(rs.getTimestamp(2).toInstant()),
                rs.getString(3)));
      }
    }
    return claims;
  }

  // ---------------------------------------------------------------- unique jobs

  /** What the enqueuers printed, per round: "created ID" or "duplicate ID" per call. */
  private final Map<String, List<String>> results = new ConcurrentHashMap<>();

  private final List<Child> enqueuers = new CopyOnWriteArrayList<>();

  @Test
  void fiftyEnqueuesOfOneUniqueKeyFromTwoProcessesCreateOneJobAndReplaceDebounces()
      throws Exception {
    try (Offload client = nodes.client()) {
      var first =
          nodes.launch(UniqueEnqueuerMain.class, "enqueuer-p1", this::record, nodes.url(), "p1");
      var second =
          nodes.launch(UniqueEnqueuerMain.class, "enqueuer-p2", this::record, nodes.url(), "p2");
      enqueuers.add(first.get(120, TimeUnit.SECONDS));
      enqueuers.add(second.get(120, TimeUnit.SECONDS));

      // Racing while nothing runs: one job, every other call gets it back.
      List<String> r1 = race("r1", "once", 0, false, 0);
      long job1 = theOneCreated(r1);
      assertThat(idsIn(r1)).containsExactly(job1);
      assertThat(jobsWithUniqueKey("once")).isEqualTo(1);

      // Once it finished, the key is free: again exactly one new job.
      runToTheEnd(job1);
      List<String> r2 = race("r2", "once", 0, false, 0);
      long job2 = theOneCreated(r2);
      assertThat(job2).isNotEqualTo(job1);
      assertThat(idsIn(r2)).containsExactly(job2);

      // With uniqueFor, a job that finished within it still counts: nothing new.
      runToTheEnd(job2);
      List<String> r3 = race("r3", "once", Duration.ofHours(1).toMillis(), false, 0);
      assertThat(r3).allMatch(line -> line.equals("duplicate " + job2));
      assertThat(jobsWithUniqueKey("once")).isEqualTo(2);

      // Debounce: a job due in a minute, then 50 edits racing with replace and a delay of two
      // minutes. Still one job, not started, with one racer's args and the later run time.
      Enqueued edit =
          client.enqueueOrFind(
              "flow.work",
              Map.of("ms", 0, "key", "original"),
              EnqueueOptions.none()
                  .allowUnknownKind()
                  .queue("uq")
                  .uniqueKey("edit")
                  .delay(Duration.ofMinutes(1)));
      Instant firstRunAt = client.job(edit.id()).orElseThrow().runAt();
      List<String> r4 = race("r4", "edit", 0, true, Duration.ofMinutes(2).toMillis());
      assertThat(r4).allMatch(line -> line.equals("duplicate " + edit.id().value()));
      Job replaced = client.job(edit.id()).orElseThrow();
      assertThat(replaced.state()).isEqualTo(JobState.SCHEDULED);
      assertThat(replaced.args().get("key").asText()).matches("p[12]-\\d+");
      assertThat(replaced.runAt()).isAfter(firstRunAt.plusSeconds(30));
      assertThat(jobsWithUniqueKey("edit")).isEqualTo(1);
    }
  }

  private void record(String line) {
    int space = line.indexOf(' ');
    results
        .computeIfAbsent(line.substring(0, space), r -> new CopyOnWriteArrayList<>())
        .add(line.substring(space + 1));
  }

  /** Both enqueuers make 25 calls at once each; returns their 50 answers. */
  private List<String> race(
      String round, String key, long uniqueForMs, boolean replace, long delayMs) {
    for (Child e : enqueuers) {
      e.stdin().println(round + " " + key + " " + uniqueForMs + " " + replace + " " + delayMs);
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() ->
            results.getOrDefault(round, List.of()).stream().filter("done"::equals).count()
                == enqueuers.size());
    List<String> answers = results.get(round).stream().filter(l -> !l.equals("done")).toList();
    assertThat(answers).hasSize(2 * UniqueEnqueuerMain.CALLS);
    return answers;
  }

  private static long theOneCreated(List<String> answers) {
    List<String> created = answers.stream().filter(l -> l.startsWith("created ")).toList();
    assertThat(created).as("calls that created a job").hasSize(1);
    return Long.parseLong(created.get(0).substring("created ".length()));
  }

  private static Set<Long> idsIn(List<String> answers) {
    return answers.stream()
        .map(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1)))
        .collect(Collectors.toSet());
  }

  /** Runs the job on a worker in this JVM, started only now so no race round overlaps a run. */
  private void runToTheEnd(long id) {
    try (Offload worker =
        Offload.builder()
            .store(PostgresStore.connect(nodes.url(), 2))
            .migrate(false)
            .pollInterval(Duration.ofMillis(100))
            .register(
                "flow.work",
                FlowWorkerMain.Work.class,
                (work, ctx) -> null,
                JobOptions.defaults().queue("uq"))
            .queue("uq", 1)
            .build()) {
      worker.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() ->
              worker.job(new dev.offload.Job.JobId(id)).orElseThrow().state()
                  == JobState.SUCCEEDED);
    }
  }

  private long jobsWithUniqueKey(String key) throws Exception {
    return nodes.count(
        "SELECT count(*) FROM " + nodes.schema() + ".jobs WHERE unique_key = '" + key + "'");
  }
}
