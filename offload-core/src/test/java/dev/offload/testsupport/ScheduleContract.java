package dev.offload.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.OffloadException.UnknownKindException;
import dev.offload.Schedule;
import dev.offload.Schedule.CatchUp;
import dev.offload.Schedule.ScheduleInfo;
import dev.offload.Schedule.ScheduleOptions;
import dev.offload.store.Store;
import dev.offload.store.Store.ScheduleRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Schedules on every store, with an injected clock: one job per tick whatever the number of nodes
 * firing, DST both ways, the catch-up policies, and the management calls. Run by {@code
 * PostgresScheduleTest} and {@code SqliteScheduleTest}.
 */
public abstract class ScheduleContract {
  private static final ZoneId COPENHAGEN = ZoneId.of("Europe/Copenhagen");

  /**
   * A store over a fresh database (schema or file) of this test class's own; several may be open.
   */
  protected abstract Store newStore();

  /** Empties the schedules and jobs between tests. */
  protected abstract void truncate() throws Exception;

  /** A clock the test moves by hand. */
  public static final class ManualClock implements InstantSource {
    private volatile Instant now;

    public ManualClock(Instant start) {
      this.now = start;
    }

    @Override
    public Instant instant() {
      return now;
    }

    public synchronized void set(Instant instant) {
      now = instant;
    }

    public synchronized void advance(Duration d) {
      now = now.plus(d);
    }
  }

  record Report(String month) {}

  private final List<Store> stores = new ArrayList<>();
  private final List<Offload> nodes = new ArrayList<>();
  protected Store store;

  @BeforeEach
  void open() throws Exception {
    store = store();
    store.migrate();
    truncate();
  }

  @AfterEach
  void close() {
    nodes.forEach(Offload::stop);
    stores.forEach(Store::close);
  }

  private Store store() {
    Store s = newStore();
    stores.add(s);
    return s;
  }

  /**
   * A node (never started: the tests fire ticks by hand) on its own store over the same database.
   */
  private Offload node(InstantSource clock) {
    Offload o =
        Offload.builder()
            .store(store())
            .migrate(false)
            .clock(clock)
            .register("reports.monthly", Report.class, (args, ctx) -> null)
            .build();
    nodes.add(o);
    return o;
  }

  private List<Job> jobsOf(String schedule) {
    List<Job> out =
        new ArrayList<>(
            store.jobList(JobQuery.all().limit(1000)).jobs().stream()
                .filter(j -> schedule.equals(j.schedule()))
                .toList());
    out.sort(Comparator.comparing(Job::runAt));
    return out;
  }

  private static List<Instant> runAts(List<Job> jobs) {
    return jobs.stream().map(Job::runAt).toList();
  }

  /** Moves the clock from its time to {@code until} in steps, firing on {@code node} at each. */
  private static void runUntil(ManualClock clock, Offload node, Instant until, Duration step) {
    while (clock.instant().isBefore(until)) {
      clock.advance(step);
      node.fireSchedulesNow();
    }
  }

  @Test
  void eachTickMakesOneJobWhoseRunAtIsTheTickAndWhichNamesTheSchedule() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:30Z"));
    Offload node = node(clock);
    node.schedules()
        .add(
            "every-minute",
            Schedule.cron("* * * * *"),
            "reports.monthly",
            new Report("jan"),
            ScheduleOptions.defaults().queue("reports").priority(3));
    assertThat(node.fireSchedulesNow())
        .isZero(); // the first tick is the first one after it was added

    clock.set(Instant.parse("2026-01-01T00:01:05Z"));
    assertThat(node.fireSchedulesNow()).isEqualTo(1);
    assertThat(node.fireSchedulesNow()).isZero();
    clock.set(Instant.parse("2026-01-01T00:02:00Z"));
    assertThat(node.fireSchedulesNow()).isEqualTo(1);

    List<Job> jobs = jobsOf("every-minute");
    assertThat(runAts(jobs))
        .containsExactly(
            Instant.parse("2026-01-01T00:01:00Z"), Instant.parse("2026-01-01T00:02:00Z"));
    Job first = jobs.get(0);
    assertThat(first.schedule()).isEqualTo("every-minute");
    assertThat(first.kind()).isEqualTo("reports.monthly");
    assertThat(first.queue()).isEqualTo("reports");
    assertThat(first.priority()).isEqualTo(3);
    assertThat(first.state()).isEqualTo(JobState.AVAILABLE);
    assertThat(first.args().get("month").asText()).isEqualTo("jan");
    ScheduleInfo info = node.schedules().get("every-minute").orElseThrow();
    assertThat(info.lastJob()).isEqualTo(jobs.get(1).id());
    assertThat(info.lastJobState()).isEqualTo(JobState.AVAILABLE);
    assertThat(info.next())
        .containsExactly(
            Instant.parse("2026-01-01T00:03:00Z"),
            Instant.parse("2026-01-01T00:04:00Z"),
            Instant.parse("2026-01-01T00:05:00Z"));
  }

  @Test
  void manyNodesFiringAtOnceMakeOneJobPerTick() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00.500Z"));
    List<Offload> cluster = List.of(node(clock), node(clock), node(clock), node(clock));
    cluster
        .get(0)
        .schedules()
        .add("every-second", Schedule.every(Duration.ofSeconds(1)), "reports.monthly", null, null);
    ExecutorService pool = Executors.newFixedThreadPool(cluster.size());
    try {
      for (int second = 1; second <= 20; second++) {
        clock.set(Instant.parse("2026-01-01T00:00:00.500Z").plusSeconds(second));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> fired = new ArrayList<>();
        for (Offload n : cluster) {
          Callable<Integer> fire =
              () -> {
                go.await();
                return n.fireSchedulesNow();
              };
          fired.add(pool.submit(fire));
        }
        go.countDown();
        int total = 0;
        for (Future<Integer> f : fired) {
          total += f.get();
        }
        assertThat(total).as("jobs made for second %d", second).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
    List<Instant> expected = new ArrayList<>();
    for (int second = 1; second <= 20; second++) {
      expected.add(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(second));
    }
    assertThat(runAts(jobsOf("every-second"))).containsExactlyElementsOf(expected);
  }

  @Test
  void aNodeThatComputedATickAnotherNodeFiredWritesNothing() {
    // Leader change mid-tick: node A read the schedule and worked out tick T, then stalled; node B
    // fired T; A's fire of T (or of an older tick) must change nothing.
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:30Z"));
    Offload b = node(clock);
    b.schedules().add("hourly", Schedule.cron("@hourly"), "reports.monthly", null, null);
    Instant tick = Instant.parse("2026-01-01T01:00:00Z");
    ScheduleRecord seenByA = store.scheduleGet("hourly").orElseThrow();
    clock.set(tick.plusSeconds(1));
    assertThat(b.fireSchedulesNow()).isEqualTo(1);

    Instant now = clock.instant();
    assertThat(
            store.scheduleFire(
                "hourly", tick, List.of(dev.offload.engine.Node.scheduledJob(seenByA, tick, now))))
        .isEmpty();
    assertThat(store.scheduleFire("hourly", tick.minusSeconds(3600), List.of())).isEmpty();
    assertThat(jobsOf("hourly")).hasSize(1);
    // B goes away; a node that takes over fires the next tick, and only it.
    Offload c = node(clock);
    clock.set(tick.plus(Duration.ofHours(1)).plusSeconds(2));
    assertThat(c.fireSchedulesNow()).isEqualTo(1);
    assertThat(b.fireSchedulesNow()).isZero();
    assertThat(runAts(jobsOf("hourly"))).containsExactly(tick, tick.plus(Duration.ofHours(1)));
  }

  @Test
  void dailyAt0230FiresOnceAt0300WhenTheClocksSkipTheHour() {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-27T12:00:00Z"));
    Offload node = node(clock);
    node.schedules()
        .add("night", Schedule.cron("30 2 * * *", COPENHAGEN), "reports.monthly", null, null);
    runUntil(clock, node, Instant.parse("2026-03-30T12:00:00Z"), Duration.ofMinutes(10));
    assertThat(runAts(jobsOf("night")))
        .containsExactly(
            Instant.parse("2026-03-28T01:30:00Z"),
            Instant.parse("2026-03-29T01:00:00Z"),
            Instant.parse("2026-03-30T00:30:00Z"));
  }

  @Test
  void dailyAt0230FiresOnceWhenTheHourRepeats() {
    ManualClock clock = new ManualClock(Instant.parse("2026-10-23T12:00:00Z"));
    Offload node = node(clock);
    node.schedules()
        .add("night", Schedule.cron("30 2 * * *", COPENHAGEN), "reports.monthly", null, null);
    runUntil(clock, node, Instant.parse("2026-10-26T12:00:00Z"), Duration.ofMinutes(10));
    assertThat(runAts(jobsOf("night")))
        .containsExactly(
            Instant.parse("2026-10-24T00:30:00Z"),
            Instant.parse("2026-10-25T00:30:00Z"),
            Instant.parse("2026-10-26T01:30:00Z"));
  }

  @Test
  void missedTicksFollowTheCatchUpPolicy() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:30Z"));
    Offload node = node(clock);
    for (CatchUp policy : CatchUp.values()) {
      node.schedules()
          .add(
              "hourly-" + policy.wireName(),
              Schedule.cron("@hourly"),
              "reports.monthly",
              null,
              ScheduleOptions.defaults().catchUp(policy));
    }
    // Every node was down from 00:00:30 to 05:30.
    clock.set(Instant.parse("2026-01-01T05:30:00Z"));
    node.fireSchedulesNow();
    assertThat(jobsOf("hourly-none")).isEmpty();
    assertThat(runAts(jobsOf("hourly-latest")))
        .containsExactly(Instant.parse("2026-01-01T05:00:00Z"));
    assertThat(runAts(jobsOf("hourly-all")))
        .containsExactly(
            Instant.parse("2026-01-01T01:00:00Z"),
            Instant.parse("2026-01-01T02:00:00Z"),
            Instant.parse("2026-01-01T03:00:00Z"),
            Instant.parse("2026-01-01T04:00:00Z"),
            Instant.parse("2026-01-01T05:00:00Z"));
    // All three go on with the next tick as usual.
    clock.set(Instant.parse("2026-01-01T06:00:00Z"));
    node.fireSchedulesNow();
    for (CatchUp policy : CatchUp.values()) {
      assertThat(runAts(jobsOf("hourly-" + policy.wireName())))
          .contains(Instant.parse("2026-01-01T06:00:00Z"));
    }
  }

  @Test
  void catchUpAllIsBoundedToTheLatestHundredTicks() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00.500Z"));
    Offload node = node(clock);
    node.schedules()
        .add(
            "fast",
            Schedule.every(Duration.ofSeconds(1)),
            "reports.monthly",
            null,
            ScheduleOptions.defaults().catchUp(CatchUp.ALL));
    clock.set(Instant.parse("2026-01-01T00:10:00.500Z")); // 600 ticks, the last 60 on time
    node.fireSchedulesNow();
    List<Job> jobs = jobsOf("fast");
    assertThat(jobs).hasSize(CatchUp.MAX_MISSED + 60);
    assertThat(jobs.get(jobs.size() - 1).runAt()).isEqualTo(Instant.parse("2026-01-01T00:10:00Z"));
  }

  @Test
  void pausedScheduleDoesNotFireAndSkipsItsPausedTicksWhenResumed() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:30Z"));
    Offload node = node(clock);
    node.schedules()
        .add(
            "hourly",
            Schedule.cron("@hourly"),
            "reports.monthly",
            null,
            ScheduleOptions.defaults().catchUp(CatchUp.ALL));
    assertThat(node.schedules().pause("hourly").paused()).isTrue();
    clock.set(Instant.parse("2026-01-01T03:30:00Z"));
    assertThat(node.fireSchedulesNow()).isZero();
    assertThat(node.schedules().get("hourly").orElseThrow().next()).isEmpty();
    node.schedules().resume("hourly");
    assertThat(node.fireSchedulesNow()).isZero();
    clock.set(Instant.parse("2026-01-01T04:00:10Z"));
    assertThat(node.fireSchedulesNow()).isEqualTo(1);
    assertThat(runAts(jobsOf("hourly"))).containsExactly(Instant.parse("2026-01-01T04:00:00Z"));
  }

  @Test
  void runEnqueuesOneJobNowAndLeavesTheTicksAlone() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:10:00Z"));
    Offload node = node(clock);
    node.schedules().add("hourly", Schedule.cron("@hourly"), "reports.monthly", null, null);
    JobId id = node.schedules().run("hourly");
    Job job = node.job(id).orElseThrow();
    assertThat(job.schedule()).isEqualTo("hourly");
    assertThat(job.runAt()).isEqualTo(clock.instant());
    clock.set(Instant.parse("2026-01-01T01:00:01Z"));
    assertThat(node.fireSchedulesNow()).isEqualTo(1);
    assertThatThrownBy(() -> node.schedules().run("nope"))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("'nope'");
  }

  @Test
  void addRefusesADuplicateOrAnUnknownKindAndPutReplaces() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    Offload node = node(clock);
    node.schedules().add("r", Schedule.cron("@daily"), "reports.monthly", null, null);
    assertThatThrownBy(() ->
            node.schedules().add("r", Schedule.cron("@hourly"), "reports.monthly", null, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exists already");
    assertThatThrownBy(
            () -> node.schedules().add("s", Schedule.cron("@daily"), "no.such.kind", null, null))
        .isInstanceOf(UnknownKindException.class);
    assertThat(store.scheduleGet("s")).isEmpty();
    ScheduleInfo replaced =
        node.schedules()
            .put("r", Schedule.cron("0 6 1 * *", COPENHAGEN), "reports.monthly", null, null);
    assertThat(replaced.cron()).isEqualTo("0 6 1 * *");
    assertThat(replaced.zone()).isEqualTo("Europe/Copenhagen");
    node.schedules().delete("r");
    assertThat(node.schedules().list()).isEmpty();
    assertThatThrownBy(() -> node.schedules().delete("r"))
        .isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void schedulesDeclaredInCodeAreStoredAtStartAndDisabledWhenTheCodeDropsThem() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    Offload v1 =
        Offload.builder()
            .store(store())
            .migrate(false)
            .clock(clock)
            .register("reports.monthly", Report.class, (args, ctx) -> null)
            .schedule(
                "monthly-report",
                Schedule.cron("0 6 1 * *", COPENHAGEN),
                "reports.monthly",
                new Report("any"))
            .schedule("old-report", Schedule.cron("@daily"), "reports.monthly", null)
            .build();
    nodes.add(v1);
    v1.start();
    v1.stop();
    ScheduleInfo monthly = v1.schedules().get("monthly-report").orElseThrow();
    assertThat(monthly.declared()).isTrue();
    assertThat(monthly.next().get(0)).isEqualTo(Instant.parse("2026-01-01T05:00:00Z"));

    Offload v2 =
        Offload.builder()
            .store(store())
            .migrate(false)
            .clock(clock)
            .register("reports.monthly", Report.class, (args, ctx) -> null)
            .schedule(
                "monthly-report",
                Schedule.cron("0 6 1 * *", COPENHAGEN),
                "reports.monthly",
                new Report("any"))
            .build();
    nodes.add(v2);
    v2.start();
    v2.stop();
    assertThat(v2.schedules().get("old-report").orElseThrow().disabled()).isTrue();
    assertThat(v2.schedules().get("monthly-report").orElseThrow().disabled()).isFalse();
    clock.set(Instant.parse("2026-01-02T00:00:05Z"));
    v2.fireSchedulesNow();
    assertThat(jobsOf("old-report")).isEmpty();
    assertThat(runAts(jobsOf("monthly-report")))
        .containsExactly(Instant.parse("2026-01-01T05:00:00Z"));
  }
}
