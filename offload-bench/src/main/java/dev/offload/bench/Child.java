package dev.offload.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Job.JobId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * One measurement in a JVM of its own (started by {@link Main}), so each system's heap is its own.
 * Prints one line {@code RESULT {json}} on stdout. Arguments are {@code key=value}.
 */
public final class Child {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Child() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String s : argv) {
      int eq = s.indexOf('=');
      a.put(s.substring(0, eq), s.substring(eq + 1));
    }
    // The node series runs several of these JVMs at once on the cores it measures: sample less.
    HeapSampler heap = new HeapSampler("node".equals(a.get("mode")) ? 100 : 10).start();
    Map<String, Object> result =
        switch (a.get("mode")) {
          case "compare" -> compare(a);
          case "scale" -> scale(a);
          case "node" -> node(a);
          case "soak-worker" -> SoakChild.worker(a);
          case "soak-enqueue" -> SoakChild.enqueuer(a);
          case "progress" -> progress(a);
          case "workflow" -> WorkflowBench.child(a);
          case "push" -> PushBench.measure(a);
          case "flow" -> flow(a);
          default -> throw new IllegalArgumentException("mode " + a.get("mode"));
        };
    result.put("peakHeapMb", round(heap.peakMb()));
    result.put("peakAfterGcMb", round(heap.peakAfterGcMb()));
    System.out.println("RESULT " + JSON.writeValueAsString(result));
    System.out.flush();
    // Peers leave non-daemon threads behind; the figures are out, so end here. Exit normally (so
    // a -XX:StartFlightRecording dump is written) unless a shutdown hook hangs.
    Thread.ofPlatform()
        .daemon()
        .start(() -> {
          try {
            Thread.sleep(15_000);
          } catch (InterruptedException e) {
            // halt anyway
          }
          Runtime.getRuntime().halt(0);
        });
    System.exit(0);
  }

  static Subject subject(String system, String store, String schema, int threads) throws Exception {
    return switch (system) {
      case "offload" -> new OffloadSubject(store.equals("sqlite"), schema, threads);
      case "db-scheduler" -> new DbSchedulerSubject(schema, threads);
      case "jobrunr" -> new JobRunrSubject(schema, threads);
      case "raw-sql" -> new RawSqlSubject(schema, threads);
      default -> throw new IllegalArgumentException("system " + system);
    };
  }

  /** The first fields of a result: which system and store it measured. */
  static Map<String, Object> row(String system, String store) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("system", system);
    r.put("store", store);
    return r;
  }

  private static Map<String, Object> compare(Map<String, String> a) throws Exception {
    String system = a.get("system");
    String store = a.get("store");
    int jobs = Integer.parseInt(a.get("jobs"));
    int threads = Integer.parseInt(a.get("threads"));
    int singles = Integer.parseInt(a.get("singles"));
    int probes = Integer.parseInt(a.get("probes"));
    long spacingMs = Long.parseLong(a.get("spacingMs"));
    Map<String, Object> r = row(system, store);
    r.put("jobs", jobs);
    r.put("threads", threads);
    try (Subject s = subject(system, store, a.get("schema"), threads)) {
      s.setUp();
      r.put("settings", s.settings());

      // One at a time, workers stopped: per-call latency and rate. Then cleared.
      long[] calls = new long[singles];
      long t0 = System.nanoTime();
      for (int i = 0; i < singles; i++) {
        long c0 = System.nanoTime();
        s.enqueueOne(BenchJobs.DRAIN);
        calls[i] = System.nanoTime() - c0;
      }
      double oneSecs = (System.nanoTime() - t0) / 1e9;
      r.put("enqueueOnePerSec", round(singles / oneSecs));
      r.put("enqueueOneP50Ms", round(Stats.percentile(calls, 50) / 1e6));
      r.put("enqueueOneP99Ms", round(Stats.percentile(calls, 99) / 1e6));
      emptyForBatch(s, store);

      // Batch enqueue of the drain jobs, workers still stopped, three times: the first pass is the
      // JVM's first batches (interpreted, then compiled as it goes: a 100,000-job pass is about a
      // second, and Offload's reached its steady rate only in its last tenth); the second is not
      // measured, as its C2 compiler is still at work (from JDBC, 1,000-job batches of Offload's
      // ran at 85-88 % of the floor's in their second hundred and 93 % from the fifth on); the
      // third is the steady rate a running application enqueues at. Every system gets the same
      // three passes.
      t0 = System.nanoTime();
      s.enqueueBatch(jobs, 1_000);
      r.put("enqueueColdPerSec", round(jobs / ((System.nanoTime() - t0) / 1e9)));
      emptyForBatch(s, store);
      s.enqueueBatch(jobs, 1_000);
      emptyForBatch(s, store);
      t0 = System.nanoTime();
      s.enqueueBatch(jobs, 1_000);
      r.put("enqueuePerSec", round(jobs / ((System.nanoTime() - t0) / 1e9)));

      // Drain: from starting the workers until the database says every job finished.
      BenchJobs.expectDrain(jobs);
      t0 = System.nanoTime();
      s.startWorkers();
      awaitStarted(system, jobs, t0 + TimeUnit.MINUTES.toNanos(30));
      awaitFinished(s::unfinished, t0 + TimeUnit.MINUTES.toNanos(30));
      double drainSecs = (System.nanoTime() - t0) / 1e9;
      if (BenchJobs.started() < jobs) {
        throw new IllegalStateException(
            system + " ran " + BenchJobs.started() + " of " + jobs + " jobs in 30 min");
      }
      r.put("drainSecs", round(drainSecs));
      r.put("drainPerSec", round(jobs / drainSecs));
      r.put("drainSteadyPerSec", round(BenchJobs.steadyPerSec()));

      // Latency on an idle queue: one job at a time, spaced, enqueue to handler start. First ten
      // times as many probes, 2 ms apart, recorded as "cold": the JVM's first runs of the idle
      // path. The drain before ran other code, and a batching system's drain runs its driver's
      // per-statement code only a few hundred times (a system that completes each job with a
      // statement of its own ran it some 100,000 times). Then the measured ones, 20 ms apart.
      // Every system gets the same probes, as every system gets the batch enqueue's warm-up passes.
      if (s.measuresLatency()) {
        Thread.sleep(1_000);
        long[] cold = probeLatencies(s, system, probes * COLD_PROBES_PER_PROBE, COLD_SPACING_MS);
        r.put("latencyColdP50Ms", round(Stats.percentile(cold, 50) / 1e6));
        r.put("latencyColdP99Ms", round(Stats.percentile(cold, 99) / 1e6));
        long[] l = probeLatencies(s, system, probes, spacingMs);
        r.put("latencyP50Ms", round(Stats.percentile(l, 50) / 1e6));
        r.put("latencyP99Ms", round(Stats.percentile(l, 99) / 1e6));
        r.put("latencyProbes", probes);
      } else {
        r.put("latencyP50Ms", null);
        r.put("latencyP99Ms", null);
      }
    }
    return r;
  }

  /**
   * Waits until {@code jobs} drain jobs have started in this JVM or {@code deadline} ({@link
   * System#nanoTime()}) passes; fails when none started for 60 s.
   */
  static void awaitStarted(String what, long jobs, long deadline) throws InterruptedException {
    long last = -1;
    long lastMoved = System.nanoTime();
    while (BenchJobs.started() < jobs && System.nanoTime() < deadline) {
      Thread.sleep(2);
      long now = BenchJobs.started();
      if (now != last) {
        last = now;
        lastMoved = System.nanoTime();
      } else if (System.nanoTime() - lastMoved > TimeUnit.SECONDS.toNanos(60)) {
        throw new IllegalStateException(
            what + " stalled at " + now + " of " + jobs + " jobs for 60 s");
      }
    }
  }

  /**
   * Waits until the database shows no unfinished job or {@code deadline} passes. A {@code count(*)}
   * over a big table takes 100+ ms; polling it back to back would take a core from PostgreSQL on a
   * small machine, so it sleeps twice as long as the count took (at least 5 ms).
   */
  static void awaitFinished(Callable<Long> unfinished, long deadline) throws Exception {
    while (System.nanoTime() < deadline) {
      long c0 = System.nanoTime();
      if (unfinished.call() == 0) {
        return;
      }
      Thread.sleep(Math.max(5, 2 * (System.nanoTime() - c0) / 1_000_000));
    }
  }

  /**
   * Offload on PostgreSQL with {@code finished} succeeded rows and {@code pending} jobs in the
   * table, timing the first {@code measure} jobs (all when equal to {@code pending}) until the
   * database shows them finished, or until {@code maxSecs} pass. {@code analyze=true} runs {@code
   * ANALYZE} between the enqueue and the drain, as autovacuum would a minute after a bulk load;
   * {@code false} leaves the table never analysed (this server's autovacuum is off).
   */
  private static Map<String, Object> scale(Map<String, String> a) throws Exception {
    int pending = Integer.parseInt(a.get("pending"));
    long finished = Long.parseLong(a.get("finished"));
    int measure = Integer.parseInt(a.get("measure"));
    long maxNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(a.get("maxSecs")));
    int threads = Integer.parseInt(a.get("threads"));
    boolean analyze = Boolean.parseBoolean(a.get("analyze"));
    String schema = a.get("schema");
    Map<String, Object> r = row("offload", "postgres");
    r.put("pending", pending);
    r.put("finished", finished);
    r.put("threads", threads);
    r.put("maxHeap", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    try (OffloadSubject s = new OffloadSubject(false, schema, threads)) {
      s.setUp();
      if (finished > 0) {
        long f0 = System.nanoTime();
        Pg.exec(
            Pg.baseUrl(),
            """
            INSERT INTO %s.jobs (kind, queue, state, priority, args, attempt, max_attempts, run_at, created_at,
                                 started_at, finished_at)
            SELECT 'bench.noop', 'default', 'succeeded', 0, '{"t":-1}', 1, 20, now(), now(), now(), now()
            FROM generate_series(1, %d)\
            """
                .formatted(schema, finished),
            "VACUUM ANALYZE " + schema + ".jobs");
        r.put("prefillSecs", round((System.nanoTime() - f0) / 1e9));
      }
      long t0 = System.nanoTime();
      s.enqueueBatch(pending, 5_000);
      r.put("enqueuePerSec", round(pending / ((System.nanoTime() - t0) / 1e9)));
      if (analyze) {
        Pg.exec(Pg.baseUrl(), "ANALYZE " + schema + ".jobs");
      }
      r.put("analyzedBeforeDrain", analyze);
      BenchJobs.expectDrain(measure);
      t0 = System.nanoTime();
      long deadline = t0 + maxNanos;
      s.startWorkers();
      awaitStarted("offload", measure, deadline);
      long done = 0;
      while (System.nanoTime() < deadline) {
        long c0 = System.nanoTime();
        done =
            Pg.count(s.probe(), "SELECT count(*) FROM " + s.table() + " WHERE state = 'succeeded'")
                - finished;
        if (done >= measure) {
          break;
        }
        Thread.sleep(Math.max(20, 2 * (System.nanoTime() - c0) / 1_000_000));
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long timed = Math.min(done, measure);
      r.put("measuredJobs", timed);
      r.put("drainSecs", round(secs));
      r.put("drainPerSec", round(timed / secs));
      r.put("drainSteadyPerSec", round(BenchJobs.steadyPerSec()));
    }
    return r;
  }

  /**
   * A drain of {@code jobs} no-op jobs with the queue's flow control set by {@code maxRunning},
   * {@code perKey} and {@code rate} (per second; 0 for none), the jobs spread over {@code keys}
   * concurrency keys (0 for none). Reports the drain rate and the rate of starts.
   */
  private static Map<String, Object> flow(Map<String, String> a) throws Exception {
    int jobs = Integer.parseInt(a.get("jobs"));
    int threads = Integer.parseInt(a.get("threads"));
    int keys = Integer.parseInt(a.get("keys"));
    int maxRunning = Integer.parseInt(a.get("maxRunning"));
    int perKey = Integer.parseInt(a.get("perKey"));
    int rate = Integer.parseInt(a.get("rate"));
    dev.offload.QueueOptions flow = dev.offload.QueueOptions.none();
    if (maxRunning > 0) {
      flow = flow.maxRunning(maxRunning);
    }
    if (perKey > 0) {
      flow = flow.perKey(perKey);
    }
    if (rate > 0) {
      flow = flow.rate(dev.offload.QueueOptions.Rate.perSecond(rate));
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("jobs", jobs);
    r.put("threads", threads);
    try (OffloadSubject s =
        new OffloadSubject(a.get("store").equals("sqlite"), a.get("schema"), threads, flow, keys)) {
      s.setUp();
      r.put("settings", s.settings());
      s.enqueueBatch(jobs, 1_000);
      long t0 = System.nanoTime();
      s.startWorkers();
      awaitStarted("offload", jobs, Long.MAX_VALUE);
      awaitFinished(s::unfinished, Long.MAX_VALUE);
      double drainSecs = (System.nanoTime() - t0) / 1e9;
      r.put("drainSecs", round(drainSecs));
      r.put("drainPerSec", round(jobs / drainSecs));
      r.put("startsPerSec", round((jobs - 1) / BenchJobs.startSpanSecs()));
    }
    return r;
  }

  /**
   * One of the worker processes of {@code --nodes}: works queue "default" with {@code threads}
   * threads on the parent's schema, prints READY, runs until the parent writes STOP, stops
   * gracefully, then writes every run it made (job id, epoch nanoseconds) to {@code runsFile} and
   * reports its store counts since the parent wrote MEASURE.
   */
  private static Map<String, Object> node(Map<String, String> a) throws Exception {
    int threads = Integer.parseInt(a.get("threads"));
    BenchJobs.recordRuns(Integer.parseInt(a.get("capacity")));
    Map<String, Object> r = row("offload", "postgres");
    r.put("threads", threads);
    OffloadSubject s = OffloadSubject.node(a.get("schema"), threads);
    StoreCounter counter;
    String self = Long.toString(ProcessHandle.current().pid());
    Map<String, Long> cpuAtMeasure = Map.of();
    try (s) {
      s.setUp();
      counter = s.counter();
      s.startWorkers();
      System.out.println("READY");
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null && !line.equals("STOP"); ) {
        if (line.equals("MEASURE")) {
          counter.reset();
          cpuAtMeasure = ThreadCpu.of(self);
          System.out.println("MEASURING");
          System.out.flush();
        }
      }
      r.put("cpuMsByThread", ThreadCpu.since(cpuAtMeasure, ThreadCpu.of(self)));
    }
    r.putAll(counter.snapshot());
    long[][] runs = BenchJobs.runs();
    NodeRuns.write(Path.of(a.get("runsFile")), runs[0], runs[1]);
    r.put("runsRecorded", runs[0].length);
    return r;
  }

  /**
   * Two jobs of {@code n} steps, one calling {@code advance(1)} per step; the loop times of each.
   */
  private static Map<String, Object> progress(Map<String, String> a) throws Exception {
    long n = Long.parseLong(a.get("n"));
    Map<String, Object> r = row("offload", "postgres");
    r.put("steps", n);
    try (OffloadSubject s = new OffloadSubject(false, a.get("schema"), 2)) {
      s.setUp();
      s.startWorkers();
      // A warm-up pair first so both loops are compiled, then the measured pair, one at a time.
      List<String> order = List.of("warm-plain", "warm-advance", "plain", "advance");
      for (String tag : order) {
        JobId id =
            s.offload()
                .enqueue(ProgressJob.KIND, new ProgressJob.Args(tag, n, tag.endsWith("advance")));
        long t0 = System.nanoTime();
        while (!ProgressJob.NANOS.containsKey(tag)
            || !s.offload().job(id).orElseThrow().state().isFinal()) {
          if (System.nanoTime() - t0 > Duration.ofMinutes(5).toNanos()) {
            throw new IllegalStateException("progress job " + tag + " did not finish in 5 min");
          }
          Thread.sleep(5);
        }
        r.put(tag + "EndToEndMs", round((System.nanoTime() - t0) / 1e6));
      }
      double plain = ProgressJob.NANOS.get("plain") / 1e6;
      double advance = ProgressJob.NANOS.get("advance") / 1e6;
      r.put("plainLoopMs", round(plain));
      r.put("advanceLoopMs", round(advance));
      r.put("nsPerAdvance", round((advance - plain) * 1e6 / n));
    }
    return r;
  }

  /** Unmeasured ("cold") idle-latency probes per measured one, and how far apart they are sent. */
  static final int COLD_PROBES_PER_PROBE = 10;

  static final long COLD_SPACING_MS = 2;

  /** Enqueues {@code n} probes {@code spacingMs} apart; each one's enqueue-to-start time. */
  private static long[] probeLatencies(Subject s, String system, int n, long spacingMs)
      throws Exception {
    BenchJobs.expectLatencies(n);
    for (int i = 0; i < n; i++) {
      s.enqueueOne(System.nanoTime());
      Thread.sleep(spacingMs);
    }
    if (!BenchJobs.latencyDone().await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(system + ": latency probes did not all run within 60 s");
    }
    return BenchJobs.latencies();
  }

  /**
   * Empties the jobs table before a batch pass; on PostgreSQL a CHECKPOINT too, for every system.
   */
  private static void emptyForBatch(Subject s, String store) throws Exception {
    s.clear();
    if (store.equals("postgres")) {
      Pg.checkpoint();
    }
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
