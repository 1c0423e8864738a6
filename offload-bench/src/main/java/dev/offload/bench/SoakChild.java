package dev.offload.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.Offload;
import dev.offload.PermanentFailure;
import dev.offload.postgres.PostgresStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The two processes of {@code bench/soak} besides the parent ({@link Soak}): the worker (one
 * Offload node working the mixed jobs, retention pruning on) and the enqueuer (a client enqueuing
 * them at a steady rate). Both answer each {@code MARK} line on stdin with a {@code MINUTE {json}}
 * line of what happened since the last one, and end at {@code STOP}.
 */
final class SoakChild {
  static final String KIND = "soak.work";
  static final int MAX_ATTEMPTS = 3;
  private static final ObjectMapper LINE = new ObjectMapper();

  /**
   * The kind's options, the same in every process: a job's attempts are fixed when it is enqueued,
   * the retry delay when an attempt fails.
   */
  static final JobOptions OPTIONS =
      JobOptions.defaults()
          .maxAttempts(MAX_ATTEMPTS)
          .retryPolicy(JobOptions.RetryPolicy.fixed(Duration.ofSeconds(1)));

  /**
   * A soak job: enqueued at {@code enqueuedMicros} (epoch microseconds), sleeps {@code sleepMs};
   * {@code fail} 0 succeeds, 1 fails permanently, 2 throws on every attempt (dead after {@value
   * #MAX_ATTEMPTS}).
   */
  public record SoakArgs(long enqueuedMicros, int sleepMs, int fail) {}

  private SoakChild() {}

  /**
   * The job mix, by a number from 0 (inclusive) to 1,000: 90 % of 20 ms, 9 % of 1 s, 0.5 % failing
   * permanently and 0.5 % failing every attempt; {@code withFailures=false} (the capacity probe)
   * makes the failing ones 20 ms successes.
   */
  static SoakArgs mix(int draw, long enqueuedMicros, boolean withFailures) {
    if (draw < 900) {
      return new SoakArgs(enqueuedMicros, 20, 0);
    }
    if (draw < 990) {
      return new SoakArgs(enqueuedMicros, 1_000, 0);
    }
    if (!withFailures) {
      return new SoakArgs(enqueuedMicros, 20, 0);
    }
    return new SoakArgs(enqueuedMicros, 20, draw < 995 ? 1 : 2);
  }

  static long nowMicros() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  static Offload.Builder builder(String schema, int poolSize) {
    return Offload.builder()
        .store(PostgresStore.connect(Pg.withSchema(Pg.baseUrl(), schema), poolSize));
  }

  /** The worker: {@code threads} concurrent jobs, retention of {@code retentionSecs}. */
  static Map<String, Object> worker(Map<String, String> a) throws Exception {
    int threads = Integer.parseInt(a.get("threads"));
    Duration retention = Duration.ofSeconds(Long.parseLong(a.get("retentionSecs")));
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    AtomicLong started = new AtomicLong();
    AtomicLong finished = new AtomicLong();
    AtomicLong failedAttempts = new AtomicLong();
    AtomicLong finishedTotal = new AtomicLong();
    Offload offload =
        builder(a.get("schema"), Math.min(threads, 20) + 2)
            .queue("default", threads)
            .retention(retention)
            .deadRetention(retention)
            .listener(
                new Offload.JobListener() {
                  @Override
                  public void onFinished(String kind, String queue, JobState state, long ms) {
                    if (state.isFinal()) {
                      finished.incrementAndGet();
                      finishedTotal.incrementAndGet();
                    } else {
                      failedAttempts.incrementAndGet();
                    }
                  }
                })
            .register(
                KIND,
                SoakArgs.class,
                (args, ctx) -> {
                  started.incrementAndGet();
                  if (ctx.attempt() == 1) {
                    latencies.add(nowMicros() - args.enqueuedMicros());
                  }
                  Thread.sleep(args.sleepMs());
                  if (args.fail() == 1) {
                    throw new PermanentFailure("soak: fails permanently");
                  }
                  if (args.fail() == 2) {
                    throw new IllegalStateException("soak: fails every attempt");
                  }
                  return null;
                },
                OPTIONS)
            .build();
    offload.start();
    System.out.println("READY");
    System.out.flush();
    marks(() -> {
      Map<String, Object> m = new LinkedHashMap<>();
      long[] l = drain(latencies);
      m.put("started", started.getAndSet(0));
      m.put("finished", finished.getAndSet(0));
      m.put("failedAttempts", failedAttempts.getAndSet(0));
      m.put("finishedTotal", finishedTotal.get());
      m.put("latencyP50Ms", Child.round(Stats.percentile(l, 50) / 1e3));
      m.put("latencyP99Ms", Child.round(Stats.percentile(l, 99) / 1e3));
      System.gc();
      m.put(
          "heapAfterGcMb",
          Child.round(
              ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0));
      return m;
    });
    offload.close();
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("finishedTotal", finishedTotal.get());
    return r;
  }

  private static long[] drain(ConcurrentLinkedQueue<Long> q) {
    List<Long> out = new ArrayList<>();
    for (Long v; (v = q.poll()) != null; ) {
      out.add(v);
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  /** The enqueuer: {@code rate} jobs a second, a batch every 10 ms, until STOP. */
  static Map<String, Object> enqueuer(Map<String, String> a) throws Exception {
    double rate = Double.parseDouble(a.get("rate"));
    AtomicLong enqueued = new AtomicLong();
    AtomicLong sinceMark = new AtomicLong();
    AtomicLong maxCallMicros = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    try (Offload client =
        builder(a.get("schema"), 2)
            .register(KIND, SoakArgs.class, (args, ctx) -> null, OPTIONS)
            .migrate(false)
            .build()) {
      Thread pacer =
          Thread.ofPlatform()
              .name("soak-enqueuer")
              .start(() -> {
                SplittableRandom random = new SplittableRandom(17);
                long t0 = System.nanoTime();
                while (!Thread.currentThread().isInterrupted()) {
                  long due = (long) (rate * (System.nanoTime() - t0) / 1e9) - enqueued.get();
                  if (due > 0) {
                    List<JobRequest> batch = new ArrayList<>();
                    long now = nowMicros();
                    for (int i = 0; i < due; i++) {
                      batch.add(JobRequest.of(KIND, mix(random.nextInt(1_000), now, true)));
                    }
                    try {
                      client.enqueueAll(batch);
                      enqueued.addAndGet(due);
                      sinceMark.addAndGet(due);
                    } catch (RuntimeException e) {
                      // Counted, not fatal: the verdict compares what was enqueued.
                      errors.incrementAndGet();
                      System.err.println("enqueue failed: " + e);
                    }
                    maxCallMicros.accumulateAndGet(nowMicros() - now, Math::max);
                  }
                  try {
                    Thread.sleep(10);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      System.out.println("READY");
      System.out.flush();
      marks(() -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enqueued", sinceMark.getAndSet(0));
        m.put("maxEnqueueCallMs", Child.round(maxCallMicros.getAndSet(0) / 1e3));
        m.put("errors", errors.get());
        return m;
      });
      pacer.interrupt();
      pacer.join();
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("enqueued", enqueued.get());
    r.put("errors", errors.get());
    return r;
  }

  /** Answers each MARK on stdin with {@code MINUTE {json}} of {@code figures}; returns at STOP. */
  private static void marks(Supplier<Map<String, Object>> figures) throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null && !line.equals("STOP"); ) {
      if (line.equals("MARK")) {
        System.out.println("MINUTE " + LINE.writeValueAsString(figures.get()));
        System.out.flush();
      }
    }
  }
}
