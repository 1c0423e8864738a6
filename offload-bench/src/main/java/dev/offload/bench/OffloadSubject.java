package dev.offload.bench;

import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.JobOptions;
import dev.offload.Offload;
import dev.offload.QueueOptions;
import dev.offload.postgres.PostgresStore;
import dev.offload.sqlite.SqliteStore;
import dev.offload.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Offload with its defaults and {@code queue("default", threads)}, on PostgreSQL ({@code
 * PostgresStore.connect} with a pool of threads + 2) or on SQLite ({@code SqliteStore.open}). For
 * the flow-control scenarios the queue may have limits, and drain jobs a concurrency key out of
 * {@code keys} (round robin).
 */
final class OffloadSubject implements Subject {
  static final String KIND = "bench.noop";
  private static final BenchArgs DRAIN_ARGS = new BenchArgs(BenchJobs.DRAIN);

  private final boolean sqlite;
  private final String schema;
  private final int threads;
  private final QueueOptions flow;
  private final int keys;
  private final Path file;
  private final boolean node;
  private Store store;
  private Offload offload;
  private Connection probe;

  OffloadSubject(boolean sqlite, String schema, int threads) throws Exception {
    this(sqlite, schema, threads, QueueOptions.none(), 0);
  }

  OffloadSubject(boolean sqlite, String schema, int threads, QueueOptions flow, int keys)
      throws Exception {
    this(sqlite, schema, threads, flow, keys, /* node= */ false);
  }

  private OffloadSubject(
      boolean sqlite, String schema, int threads, QueueOptions flow, int keys, boolean node)
      throws Exception {
    this.node = node;
    this.sqlite = sqlite;
    this.schema = schema;
    this.threads = threads;
    this.flow = flow;
    this.keys = keys;
    this.file = sqlite ? Files.createTempDirectory("offload-bench").resolve("offload.db") : null;
  }

  /**
   * One of several worker processes on a schema the parent created and will drop: its connections
   * are named {@value #NODE_APPLICATION} (for the wait-event sampling) and its store calls counted
   * ({@link #counter()}).
   */
  static OffloadSubject node(String schema, int threads) throws Exception {
    return new OffloadSubject(false, schema, threads, QueueOptions.none(), 0, /* node= */ true);
  }

  static final String NODE_APPLICATION = "offload-bench-node";

  StoreCounter counter() {
    return StoreCounter.of(store);
  }

  Offload offload() {
    return offload;
  }

  String table() {
    return sqlite ? "offload_jobs" : schema + ".jobs";
  }

  Connection probe() {
    return probe;
  }

  @Override
  public void setUp() throws Exception {
    if (sqlite) {
      store = SqliteStore.open(file);
    } else if (node) {
      String url = Pg.withSchema(Pg.baseUrl(), schema) + "&ApplicationName=" + NODE_APPLICATION;
      store = StoreCounter.wrap(PostgresStore.connect(url, threads + 2), table());
    } else {
      Pg.createSchema(schema);
      store = PostgresStore.connect(Pg.withSchema(Pg.baseUrl(), schema), threads + 2);
    }
    Offload.Builder builder =
        Offload.builder()
            .store(store)
            .register(
                KIND,
                BenchArgs.class,
                (args, ctx) -> {
                  BenchJobs.run(args.t());
                  BenchJobs.ran(ctx.id().value());
                  return null;
                },
                JobOptions.defaults())
            .register(
                ProgressJob.KIND, ProgressJob.Args.class, new ProgressJob(), JobOptions.defaults())
            .queue("default", threads);
    if (flow.controlled()) {
      builder.queue("default", flow);
    }
    offload = builder.build();
    probe = sqlite ? DriverManager.getConnection("jdbc:sqlite:" + file) : Pg.connect(Pg.baseUrl());
  }

  @Override
  public void enqueueBatch(int n, int batch) {
    List<JobRequest> requests = new ArrayList<>(batch);
    for (int done = 0; done < n; done += batch) {
      requests.clear();
      for (int i = 0; i < Math.min(batch, n - done); i++) {
        requests.add(
            keys == 0
                ? JobRequest.of(KIND, DRAIN_ARGS)
                : JobRequest.of(
                    KIND,
                    DRAIN_ARGS,
                    EnqueueOptions.none().concurrencyKey("key:" + (done + i) % keys)));
      }
      offload.enqueueAll(requests);
    }
  }

  @Override
  public void enqueueOne(long arg) {
    offload.enqueue(KIND, new BenchArgs(arg));
  }

  @Override
  public void clear() throws Exception {
    try (Statement s = probe.createStatement()) {
      s.execute(sqlite ? "DELETE FROM offload_jobs" : "TRUNCATE " + table());
    }
  }

  @Override
  public void startWorkers() {
    offload.start();
  }

  @Override
  public long unfinished() throws Exception {
    return Pg.count(probe, "SELECT count(*) FROM " + table() + " WHERE state <> 'succeeded'");
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("queue", "default, concurrency " + threads);
    s.put(
        "store",
        sqlite ? "SqliteStore.open(file)" : "PostgresStore.connect(url, " + (threads + 2) + ")");
    s.put("other", "defaults (poll 1 s as a fallback to LISTEN/NOTIFY, claim batch up to 500)");
    if (flow.controlled() || keys > 0) {
      s.put("flow", flow + (keys > 0 ? ", concurrency keys: " + keys : ""));
    }
    return s;
  }

  @Override
  public void close() throws Exception {
    if (offload != null) {
      offload.close();
    }
    if (probe != null) {
      probe.close();
    }
    if (node) {
      counter().close();
    } else if (sqlite) {
      try (var files = Files.list(file.getParent())) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(file.getParent());
    } else {
      Pg.dropSchema(schema);
    }
  }
}
