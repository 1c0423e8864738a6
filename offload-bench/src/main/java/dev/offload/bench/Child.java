package dev.offload.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Job.JobId;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    HeapSampler heap = new HeapSampler().start();
    Map<String, Object> result =
        switch (a.get("mode")) {
          case "compare" -> compare(a, heap);
          case "scale" -> scale(a, heap);
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

  private static Map<String, Object> compare(Map<String, String> a, HeapSampler heap)
      throws Exception {
    String system = a.get("system");
    String store = a.get("store");
    int jobs = Integer.parseInt(a.get("jobs"));
    int threads = Integer.parseInt(a.get("threads"));
    int singles = Integer.parseInt(a.get("singles"));
    int probes = Integer.parseInt(a.get("probes"));
    long spacingMs = Long.parseLong(a.get("spacingMs"));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("system", system);
    r.put("store", store);
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
      s.clear();

      // Batch enqueue of the drain jobs, workers still stopped.
      t0 = System.nanoTime();
      s.enqueueBatch(jobs, 1_000);
      r.put("enqueuePerSec", round(jobs / ((System.nanoTime() - t0) / 1e9)));

      // Drain: from starting the workers until the database says every job finished.
      t0 = System.nanoTime();
      s.startWorkers();
      long deadline = t0 + TimeUnit.MINUTES.toNanos(30);
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
              system + " stalled at " + now + " of " + jobs + " jobs for 60 s");
        }
      }
      while (s.unfinished() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      double drainSecs = (System.nanoTime() - t0) / 1e9;
      if (BenchJobs.started() < jobs) {
        throw new IllegalStateException(
            system + " ran " + BenchJobs.started() + " of " + jobs + " jobs in 30 min");
      }
      r.put("drainSecs", round(drainSecs));
      r.put("drainPerSec", round(jobs / drainSecs));

      // Latency on an idle queue: one job at a time, spaced, enqueue to handler start.
      if (s.measuresLatency()) {
        Thread.sleep(1_000);
        BenchJobs.expectLatencies(probes);
        for (int i = 0; i < probes; i++) {
          s.enqueueOne(System.nanoTime());
          Thread.sleep(spacingMs);
        }
        if (!BenchJobs.latencyDone().await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException(system + ": latency probes did not all run within 60 s");
        }
        long[] l = BenchJobs.latencies();
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
   * Offload on PostgreSQL draining {@code pending} jobs with {@code finished} succeeded rows
   * already there.
   */
  private static Map<String, Object> scale(Map<String, String> a, HeapSampler heap)
      throws Exception {
    int pending = Integer.parseInt(a.get("pending"));
    long finished = Long.parseLong(a.get("finished"));
    int threads = Integer.parseInt(a.get("threads"));
    String schema = a.get("schema");
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("system", "offload");
    r.put("store", "postgres");
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
      // Fresh statistics before the drain, as autovacuum would give them a minute after a bulk
      // load. Without them (a server with autovacuum = off, or the first minute after the load) the
      // planner takes the table for empty and the claim sorts every runnable row: about 0.9 s per
      // claim at 1M pending, and the drain falls to ~50 jobs/s (docs/benchmarks.md).
      boolean analyze = !"false".equals(a.get("analyze"));
      if (analyze) {
        Pg.exec(Pg.baseUrl(), "ANALYZE " + schema + ".jobs");
      }
      r.put("analyzedBeforeDrain", analyze);
      // And again every 10 s during the drain, standing in for autoanalyze (the drain turns every
      // row from available to running to succeeded; statistics taken before it say there are no
      // running rows, and the completion statement is then planned as a scan of jobs_state_idx for
      // state = 'running' joined by filter: ~1 s per 1,000 completions at 600k running).
      Thread analyzer = null;
      if (analyze) {
        analyzer =
            Thread.ofPlatform()
                .daemon()
                .name("analyze")
                .start(() -> {
                  try (var c = Pg.connect(Pg.baseUrl());
                      var st = c.createStatement()) {
                    while (!Thread.currentThread().isInterrupted()) {
                      Thread.sleep(10_000);
                      st.execute("ANALYZE " + schema + ".jobs");
                    }
                  } catch (InterruptedException e) {
                    // done
                  } catch (Exception e) {
                    System.err.println("analyze: " + e);
                  }
                });
      }
      t0 = System.nanoTime();
      s.startWorkers();
      long last = -1;
      long lastMoved = System.nanoTime();
      while (BenchJobs.started() < pending) {
        Thread.sleep(5);
        long now = BenchJobs.started();
        if (now != last) {
          last = now;
          lastMoved = System.nanoTime();
        } else if (System.nanoTime() - lastMoved > TimeUnit.SECONDS.toNanos(60)) {
          throw new IllegalStateException(
              "offload stalled at " + now + " of " + pending + " jobs for 60 s");
        }
      }
      // count(*) over 1M rows takes 100+ ms; polling it back to back would take a core from
      // PostgreSQL on a small machine. Sleep twice as long as the count took.
      while (true) {
        long c0 = System.nanoTime();
        if (s.unfinished() == 0) {
          break;
        }
        Thread.sleep(Math.max(20, 2 * (System.nanoTime() - c0) / 1_000_000));
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      if (analyzer != null) {
        analyzer.interrupt();
      }
      r.put("drainSecs", round(secs));
      r.put("drainPerSec", round(pending / secs));
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
      long last = -1;
      long lastMoved = System.nanoTime();
      while (BenchJobs.started() < jobs) {
        Thread.sleep(2);
        long now = BenchJobs.started();
        if (now != last) {
          last = now;
          lastMoved = System.nanoTime();
        } else if (System.nanoTime() - lastMoved > TimeUnit.SECONDS.toNanos(60)) {
          throw new IllegalStateException("stalled at " + now + " of " + jobs + " jobs for 60 s");
        }
      }
      while (s.unfinished() > 0) {
        Thread.sleep(5);
      }
      double drainSecs = (System.nanoTime() - t0) / 1e9;
      r.put("drainSecs", round(drainSecs));
      r.put("drainPerSec", round(jobs / drainSecs));
      r.put("startsPerSec", round((jobs - 1) / BenchJobs.startSpanSecs()));
    }
    return r;
  }

  /**
   * Two jobs of {@code n} steps, one calling {@code advance(1)} per step; the loop times of each.
   */
  private static Map<String, Object> progress(Map<String, String> a) throws Exception {
    long n = Long.parseLong(a.get("n"));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("system", "offload");
    r.put("store", "postgres");
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

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
