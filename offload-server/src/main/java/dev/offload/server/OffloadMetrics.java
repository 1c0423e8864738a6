package dev.offload.server;

import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.Offload.JobListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offload's Prometheus metrics, through Micrometer. Register it on the {@link Offload.Builder} as a
 * listener, so it counts what happens to jobs on this node, and hand it to the server, which serves
 * it at {@code /metrics}:
 *
 * <pre>{@code
 * OffloadMetrics metrics = OffloadMetrics.create();
 * Offload offload = Offload.builder().store(store).listener(metrics)...build();
 * OffloadServer server = OffloadServer.builder(offload).metrics(metrics).build();
 * }</pre>
 *
 * <p>Metrics, each tagged with {@code queue} and {@code kind}:
 *
 * <ul>
 *   <li>{@code offload_jobs_enqueued_total}, {@code offload_jobs_started_total}: jobs enqueued by
 *       this node, attempts started on it;
 *   <li>{@code offload_jobs_succeeded_total}, {@code offload_jobs_failed_total} (attempts that
 *       failed and will be retried), {@code offload_jobs_dead_total}, {@code
 *       offload_jobs_cancelled_total}: attempts that ended on this node, by outcome;
 *   <li>{@code offload_job_wait_seconds}: histogram of the wait from when a job could run to when
 *       its attempt started (enqueue-to-start latency for jobs due at once);
 *   <li>{@code offload_job_run_seconds}: histogram of attempt run times, also tagged {@code state}.
 * </ul>
 *
 * <p>And per queue, read from the store (cached for {@value #QUEUE_CACHE_SECONDS} s, so scrapes
 * cost at most one query per interval): {@code offload_queue_jobs{queue,state}} (depth per state),
 * {@code offload_queue_paused{queue}}; {@code offload_store_up} is 1 when that read succeeded. Flow
 * control, per queue (never per key, which would be unbounded): {@code
 * offload_queue_slots_in_use{queue}} (under a queue limit the slots the nodes' leases hold,
 * otherwise jobs running with a live lease), {@code offload_queue_keys_at_limit{queue}} (keys whose
 * running jobs fill {@code perKey}), {@code offload_queue_waiting_on_limit{queue,limit}} (due jobs
 * held back, {@code limit} one of {@code max_running}, {@code per_key}, {@code rate}, {@code
 * paused}; {@code limit="rate"} are the rate-limited waits). The JVM's memory, threads, CPU and
 * uptime are bound as well.
 *
 * <p>Counters count this node's work only: with {@code offload serve --no-workers} the workers run
 * elsewhere, so the started and finished counters of this process stay at 0 while the queue gauges,
 * read from the shared store, stay accurate. Thread-safe; the listener methods cost a map look-up
 * and an increment.
 */
public final class OffloadMetrics implements JobListener {
  static final int QUEUE_CACHE_SECONDS = 5;
  private static final Logger log = LoggerFactory.getLogger(OffloadMetrics.class);

  /** Histogram buckets: job waits and runs range from milliseconds to hours. */
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
    Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)
  };

  private final MeterRegistry registry;
  private final Map<KindQueue, Meters> meters = new ConcurrentHashMap<>();
  private final Map<RunKey, Timer> runTimers = new ConcurrentHashMap<>();
  private final MultiGauge queueJobs;
  private final MultiGauge queuePaused;
  private final MultiGauge slotsInUse;
  private final MultiGauge keysAtLimit;
  private final MultiGauge waitingOnLimit;
  private final AtomicInteger storeUp = new AtomicInteger();
  private volatile long queuesReadAtNanos;
  private volatile boolean queuesRead;

  private OffloadMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.queueJobs =
        multiGauge("offload.queue.jobs", "Jobs in the queue per state, as the store holds them");
    this.queuePaused =
        multiGauge(
            "offload.queue.paused", "1 while claiming from the queue is paused on every node");
    this.slotsInUse =
        multiGauge(
            "offload.queue.slots.in.use",
            "Slots of the queue's maxRunning that the nodes' leases hold, or without one, jobs"
                + " running with a live lease");
    this.keysAtLimit =
        multiGauge(
            "offload.queue.keys.at.limit",
            "Concurrency keys of the queue whose running jobs fill its perKey limit");
    this.waitingOnLimit =
        multiGauge(
            "offload.queue.waiting.on.limit",
            "Due jobs of the queue held back, by what holds them: max_running, per_key, rate"
                + " or paused");
    Gauge.builder("offload.store.up", storeUp, AtomicInteger::get)
        .description("1 when the last read of the queues from the store succeeded")
        .register(registry);
  }

  private MultiGauge multiGauge(String name, String description) {
    return MultiGauge.builder(name).description(description).register(registry);
  }

  /** Metrics in a registry of their own, with the JVM's memory, thread, CPU and uptime meters. */
  public static OffloadMetrics create() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return new OffloadMetrics(registry);
  }

  /**
   * Metrics in the caller's registry (which then decides what else it holds), such as a Spring Boot
   * application's. {@code /metrics} serves a {@link PrometheusMeterRegistry} only; with any other
   * registry call {@link #readQueues} on a timer to keep the queue gauges fresh.
   */
  public static OffloadMetrics create(MeterRegistry registry) {
    return new OffloadMetrics(Objects.requireNonNull(registry, "registry"));
  }

  /** The registry, for the application's own meters; {@code /metrics} serves all of it. */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Reads the queue gauges ({@code offload.queue.jobs}, {@code offload.queue.paused}, {@code
   * offload.store.up}) from the store now. {@code /metrics} does this itself at most every {@value
   * #QUEUE_CACHE_SECONDS} s; a registry scraped elsewhere needs it called on a timer.
   */
  public void readQueues(Offload offload) {
    synchronized (this) {
      queuesRead = false;
    }
    refreshQueues(offload);
  }

  @Override
  public void onEnqueued(String kind, String queue, int count) {
    meters(kind, queue).enqueued.increment(count);
  }

  @Override
  public void onStarted(String kind, String queue, long waitedMillis) {
    Meters m = meters(kind, queue);
    m.started.increment();
    m.wait.record(waitedMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onFinished(String kind, String queue, JobState state, long runMillis) {
    Meters m = meters(kind, queue);
    switch (state) {
      case SUCCEEDED -> m.succeeded.increment();
      case RETRYING -> m.failed.increment();
      case DEAD -> m.dead.increment();
      case CANCELLED -> m.cancelled.increment();
      default -> {}
    }
    runTimers
        .computeIfAbsent(
            new RunKey(kind, queue, state),
            k ->
                histogram(
                    "offload.job.run",
                    "Run time of attempts, by outcome",
                    Tags.of("kind", kind, "queue", queue, "state", state.wireName())))
        .record(runMillis, TimeUnit.MILLISECONDS);
  }

  private Meters meters(String kind, String queue) {
    return meters.computeIfAbsent(
        new KindQueue(kind, queue), k -> new Meters(Tags.of("kind", kind, "queue", queue)));
  }

  /** The Prometheus text, after refreshing the queue gauges from {@code offload} when stale. */
  String scrape(Offload offload) {
    if (!(registry instanceof PrometheusMeterRegistry prometheus)) {
      throw ApiException.notFound(
          "the metrics go to the application's own registry (for example /actuator/prometheus)");
    }
    refreshQueues(offload);
    return prometheus.scrape();
  }

  private synchronized void refreshQueues(Offload offload) {
    long now = System.nanoTime();
    if (queuesRead && now - queuesReadAtNanos < TimeUnit.SECONDS.toNanos(QUEUE_CACHE_SECONDS)) {
      return;
    }
    queuesRead = true;
    queuesReadAtNanos = now;
    List<QueueDocument> queues;
    try {
      queues = QueueDocument.all(offload);
    } catch (RuntimeException e) {
      // Keep the last values; offload_store_up says they are stale.
      log.debug("could not read the queues for /metrics", e);
      storeUp.set(0);
      return;
    }
    storeUp.set(1);
    List<MultiGauge.Row<?>> jobs = new ArrayList<>();
    List<MultiGauge.Row<?>> paused = new ArrayList<>();
    List<MultiGauge.Row<?>> slots = new ArrayList<>();
    List<MultiGauge.Row<?>> keys = new ArrayList<>();
    List<MultiGauge.Row<?>> waiting = new ArrayList<>();
    for (QueueDocument q : queues) {
      q.counts()
          .forEach((state, n) ->
              jobs.add(MultiGauge.Row.of(Tags.of("queue", q.name(), "state", state), n)));
      Tags queue = Tags.of("queue", q.name());
      paused.add(MultiGauge.Row.of(queue, q.paused() ? 1 : 0));
      slots.add(MultiGauge.Row.of(queue, q.slotsInUse()));
      keys.add(MultiGauge.Row.of(queue, q.keysAtLimit()));
      QueueDocument.WaitingOnLimits w = q.waitingOnLimits();
      waiting.add(MultiGauge.Row.of(queue.and("limit", "max_running"), w.queueLimit()));
      waiting.add(MultiGauge.Row.of(queue.and("limit", "per_key"), w.keyLimit()));
      waiting.add(MultiGauge.Row.of(queue.and("limit", "rate"), w.rate()));
      waiting.add(MultiGauge.Row.of(queue.and("limit", "paused"), w.paused()));
    }
    queueJobs.register(jobs, /* overwrite= */ true);
    queuePaused.register(paused, /* overwrite= */ true);
    slotsInUse.register(slots, /* overwrite= */ true);
    keysAtLimit.register(keys, /* overwrite= */ true);
    waitingOnLimit.register(waiting, /* overwrite= */ true);
  }

  private Counter counter(String name, String description, Tags tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }

  private Timer histogram(String name, String description, Tags tags) {
    return Timer.builder(name)
        .description(description)
        .tags(tags)
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
  }

  private record KindQueue(String kind, String queue) {}

  private record RunKey(String kind, String queue, JobState state) {}

  /** One kind and queue's meters, looked up once and kept. */
  private final class Meters {
    final Counter enqueued;
    final Counter started;
    final Counter succeeded;
    final Counter failed;
    final Counter dead;
    final Counter cancelled;
    final Timer wait;

    Meters(Tags tags) {
      enqueued = counter("offload.jobs.enqueued", "Jobs enqueued by this node", tags);
      started = counter("offload.jobs.started", "Attempts started on this node", tags);
      succeeded = counter("offload.jobs.succeeded", "Attempts that succeeded on this node", tags);
      failed =
          counter(
              "offload.jobs.failed", "Attempts that failed on this node and will be retried", tags);
      dead =
          counter(
              "offload.jobs.dead",
              "Attempts that failed on this node with no attempts left, or permanently",
              tags);
      cancelled = counter("offload.jobs.cancelled", "Attempts cancelled on this node", tags);
      wait =
          histogram(
              "offload.job.wait",
              "Wait from when a job could run to when its attempt started",
              tags);
    }
  }
}
