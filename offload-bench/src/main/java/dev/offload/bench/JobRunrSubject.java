package dev.offload.bench;

import static org.jobrunr.server.BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration;

import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.scheduling.BackgroundJob;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;

/**
 * JobRunr OSS on its PostgreSQL storage, in a schema of its own (the pool's connections set {@code
 * currentSchema}); it creates its tables at initialisation. Settings: {@code andWorkerCount(n)} and
 * the shortest poll interval it accepts for SQL storage, 5 s. The server is configured unstarted,
 * so enqueue and drain are measured apart.
 */
final class JobRunrSubject extends PooledSubject {
  static final Duration POLL = Duration.ofSeconds(5);

  JobRunrSubject(String schema, int threads) {
    super(schema, threads);
  }

  @Override
  public void setUp() throws Exception {
    openDatabase("jobrunr", () -> {});
    JobRunr.configure()
        .useStorageProvider(new PostgresStorageProvider(pool))
        .useBackgroundJobServer(
            usingStandardBackgroundJobServerConfiguration()
                .andWorkerCount(threads)
                .andPollInterval(POLL),
            /* startBackgroundJobServer= */ false)
        .initialize();
  }

  @Override
  public void enqueueBatch(int n, int batch) {
    for (int done = 0; done < n; done += batch) {
      Stream<Long> args =
          LongStream.range(0, Math.min(batch, n - done)).mapToObj(i -> BenchJobs.DRAIN);
      BackgroundJob.<Long>enqueue(args, x -> BenchJobs.run(x));
    }
  }

  @Override
  public void enqueueOne(long arg) {
    // A captured local, not a literal: JobRunr's bytecode analysis fails on constants (see notes).
    Long t = arg;
    BackgroundJob.enqueue(() -> BenchJobs.run(t));
  }

  @Override
  public void clear() throws Exception {
    try (Statement s = probe.createStatement()) {
      s.execute("DELETE FROM " + schema + ".jobrunr_jobs");
    }
  }

  @Override
  public void startWorkers() {
    JobRunr.getBackgroundJobServer().start();
  }

  @Override
  public long unfinished() throws Exception {
    return Pg.count(
        probe, "SELECT count(*) FROM " + schema + ".jobrunr_jobs WHERE state <> 'SUCCEEDED'");
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("storage", "PostgresStorageProvider(HikariCP " + (threads + 2) + ")");
    s.put("workers", "andWorkerCount(" + threads + ")");
    s.put("pollInterval", POLL.toSeconds() + " s (the smallest JobRunr accepts for SQL storage)");
    s.put("enqueue", "BackgroundJob.enqueue(Stream, lambda) / enqueue(lambda)");
    return s;
  }

  @Override
  public void close() throws Exception {
    try {
      JobRunr.destroy();
    } catch (RuntimeException e) {
      // best effort: the JVM ends right after
    }
    closeDatabase();
  }
}
