package dev.offload.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * db-scheduler with its documented best settings for throughput and latency: {@code
 * pollUsingLockAndFetch(0.5, 1.0)}, {@code threads(n)}, a 100 ms polling interval and {@code
 * enableImmediateExecution()}. Its table is created here, as its README gives it for PostgreSQL.
 */
final class DbSchedulerSubject extends PooledSubject {
  static final Duration POLL = Duration.ofMillis(100);
  private final AtomicLong ids = new AtomicLong();
  private OneTimeTask<Long> task;
  private Scheduler scheduler;

  DbSchedulerSubject(String schema, int threads) {
    super(schema, threads);
  }

  @Override
  public void setUp() throws Exception {
    openDatabase("db-scheduler", this::createTable);
    task =
        Tasks.oneTime("bench-noop", Long.class)
            .execute((instance, ctx) -> BenchJobs.run(instance.getData()));
    scheduler =
        Scheduler.create(pool, task)
            .threads(threads)
            .pollingInterval(POLL)
            .pollUsingLockAndFetch(0.5, 1.0)
            .enableImmediateExecution()
            .shutdownMaxWait(Duration.ofSeconds(1))
            .build();
  }

  /** Its table and three indexes, as its README gives them for PostgreSQL. */
  private void createTable() throws Exception {
    Pg.exec(
        Pg.baseUrl(),
        """
        CREATE TABLE %s.scheduled_tasks (
          task_name text NOT NULL,
          task_instance text NOT NULL,
          task_data bytea,
          execution_time timestamp with time zone NOT NULL,
          picked boolean NOT NULL,
          picked_by text,
          last_success timestamp with time zone,
          last_failure timestamp with time zone,
          consecutive_failures int,
          last_heartbeat timestamp with time zone,
          version bigint NOT NULL,
          priority smallint,
          PRIMARY KEY (task_name, task_instance)
        )\
        """
            .formatted(schema),
        "CREATE INDEX execution_time_idx ON %s.scheduled_tasks (execution_time)".formatted(schema),
        "CREATE INDEX last_heartbeat_idx ON %s.scheduled_tasks (last_heartbeat)".formatted(schema),
        "CREATE INDEX priority_execution_time_idx ON %s.scheduled_tasks (priority DESC, execution_time ASC)"
            .formatted(schema));
  }

  @Override
  public void enqueueBatch(int n, int batch) {
    List<TaskInstance<?>> instances = new ArrayList<>(batch);
    for (int done = 0; done < n; done += batch) {
      instances.clear();
      for (int i = 0; i < Math.min(batch, n - done); i++) {
        instances.add(task.instance("j" + ids.incrementAndGet(), BenchJobs.DRAIN));
      }
      scheduler.scheduleBatch(instances, Instant.now());
    }
  }

  @Override
  public void enqueueOne(long arg) {
    // Through the Scheduler itself (not a separate SchedulerClient) so enableImmediateExecution
    // applies.
    scheduler.schedule(task.instance("j" + ids.incrementAndGet(), arg), Instant.now());
  }

  @Override
  public void clear() throws Exception {
    try (Statement s = probe.createStatement()) {
      s.execute("TRUNCATE " + schema + ".scheduled_tasks");
    }
  }

  @Override
  public void startWorkers() {
    scheduler.start();
  }

  @Override
  public long unfinished() throws Exception {
    // A one-time task's row is deleted when it completes.
    return Pg.count(probe, "SELECT count(*) FROM " + schema + ".scheduled_tasks");
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("polling", "pollUsingLockAndFetch(0.5, 1.0), pollingInterval " + POLL.toMillis() + " ms");
    s.put("threads", threads);
    s.put("immediateExecution", true);
    s.put("pool", "HikariCP " + (threads + 2));
    s.put("enqueue", "scheduleBatch(List<TaskInstance>, now) / schedule(instance, now)");
    return s;
  }

  @Override
  public void close() throws Exception {
    if (scheduler != null) {
      scheduler.stop();
    }
    closeDatabase();
  }
}
