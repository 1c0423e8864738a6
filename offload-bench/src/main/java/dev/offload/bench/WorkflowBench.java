package dev.offload.bench;

import static dev.offload.Workflow.StepOptions.after;
import static dev.offload.bench.Child.round;
import static dev.offload.bench.Main.num;

import dev.offload.Workflow.WorkflowBuilder;
import dev.offload.Workflow.WorkflowId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --workflow}: how long Offload takes to enqueue a workflow of {@value #STEPS} steps in one
 * transaction on PostgreSQL, the whole {@code WorkflowBuilder.enqueue()} call (validating the graph
 * and the args, then writing the workflow, its jobs and its dependencies). The shape is a fan-out
 * and a join: one root step, {@value #STEPS} - 2 steps after it, one step after all of those, so
 * 19,996 dependencies; and, for comparison, the same number of steps as a chain. Workers are
 * stopped; each run's rows are counted afterwards, so a run that wrote less than the whole workflow
 * fails the benchmark instead of looking fast.
 *
 * <p>Adds (or replaces) the row {@code "scenario": "workflow-10000-steps"} in {@code
 * target/results.json}, with the median of the measured runs (after one warm-up run) and the
 * machine's load average while it ran: the figure is only as quiet as the machine was.
 */
final class WorkflowBench {
  static final int STEPS = 10_000;
  static final String SCENARIO = "workflow-10000-steps";
  private static final int RUNS = 5;

  private WorkflowBench() {}

  static void run(Main main, BenchOptions options) throws Exception {
    int runs = options.quick() ? 2 : RUNS;
    System.out.printf(
        "%nWorkflow: Offload on PostgreSQL enqueuing %,d steps (%,d dependencies) in one"
            + " transaction; 1 warm-up run, then %d measured, in one JVM (%s)%n",
        STEPS, dependencies(), runs, Main.javaOpts("OFFLOAD_BENCH_JAVA_OPTS"));
    Map<String, Object> r =
        main.child(
            "workflow",
            Main.javaOpts("OFFLOAD_BENCH_JAVA_OPTS"),
            "mode=workflow",
            "runs=" + runs,
            "schema=" + Main.schema("workflow"));
    System.out.printf(
        "  enqueue: median %.0f ms, min %.0f ms, max %.0f ms (as a chain of 9,999 dependencies:"
            + " median %.0f ms); load average %.2f (%s cores)%n",
        num(r.get("enqueueMs")),
        num(r.get("enqueueMinMs")),
        num(r.get("enqueueMaxMs")),
        num(r.get("chainEnqueueMs")),
        num(r.get("loadAverage1m")),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "  %-7s enqueue of %,d steps in one transaction < 1 s: %.0f ms%n",
        num(r.get("enqueueMs")) < 1_000 ? "MET" : "NOT MET", STEPS, num(r.get("enqueueMs")));
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("scenario", SCENARIO);
    row.putAll(r);
    Results.write(main.target(), List.of(row));
  }

  static int dependencies() {
    return 2 * (STEPS - 2);
  }

  /** In the child JVM: one warm-up enqueue, then {@code runs} measured ones. */
  static Map<String, Object> child(Map<String, String> a) throws Exception {
    int runs = Integer.parseInt(a.get("runs"));
    String schema = a.get("schema");
    Map<String, Object> r = Child.row("offload", "postgres");
    r.put("steps", STEPS);
    r.put("dependencies", dependencies());
    double load = 0;
    try (OffloadSubject s = new OffloadSubject(false, schema, 2)) {
      s.setUp();
      List<Double> times = new ArrayList<>();
      List<Double> chainTimes = new ArrayList<>();
      for (int i = 0; i <= runs; i++) {
        times.add(enqueue(s, schema, "fan-out-" + i, /* chain= */ false));
        chainTimes.add(enqueue(s, schema, "chain-" + i, /* chain= */ true));
        load += loadAverage();
      }
      // The first of each is the warm-up.
      times.remove(0);
      chainTimes.remove(0);
      r.put("enqueueMs", round(Stats.median(times)));
      r.put("enqueueMinMs", round(times.stream().mapToDouble(Double::doubleValue).min().orElse(0)));
      r.put("enqueueMaxMs", round(times.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
      r.put("runs", times.stream().map(Child::round).toList());
      // The same 10,000 steps as a chain (each after the one before: 9,999 dependencies, none
      // with more than one), which shows what the join's 9,998 dependencies cost.
      r.put("chainEnqueueMs", round(Stats.median(chainTimes)));
      r.put("chainRuns", chainTimes.stream().map(Child::round).toList());
    }
    r.put("loadAverage1m", round(load / (runs + 1)));
    r.put("cores", Runtime.getRuntime().availableProcessors());
    return r;
  }

  /**
   * Builds and enqueues one workflow of {@value #STEPS} steps, checks it was stored whole, and
   * returns the milliseconds {@code enqueue()} took.
   */
  private static double enqueue(OffloadSubject s, String schema, String name, boolean chain)
      throws Exception {
    WorkflowBuilder w = s.offload().workflow(name);
    w.step("step-0", OffloadSubject.KIND, new BenchArgs(BenchJobs.DRAIN));
    if (chain) {
      for (int p = 1; p < STEPS; p++) {
        w.step(
            "step-" + p,
            OffloadSubject.KIND,
            new BenchArgs(BenchJobs.DRAIN),
            after("step-" + (p - 1)));
      }
    } else {
      List<String> middle = new ArrayList<>(STEPS - 2);
      for (int p = 1; p <= STEPS - 2; p++) {
        middle.add("step-" + p);
        w.step("step-" + p, OffloadSubject.KIND, new BenchArgs(BenchJobs.DRAIN), after("step-0"));
      }
      w.step(
          "join",
          OffloadSubject.KIND,
          new BenchArgs(BenchJobs.DRAIN),
          after(middle.toArray(String[]::new)));
    }
    long t0 = System.nanoTime();
    WorkflowId id = w.enqueue();
    double ms = (System.nanoTime() - t0) / 1e6;
    requireWhole(s.probe(), schema, id, chain ? STEPS - 1 : dependencies());
    return ms;
  }

  /** Fails unless every step, every dependency and every waiting step of {@code id} is stored. */
  private static void requireWhole(Connection c, String schema, WorkflowId id, int dependencies)
      throws Exception {
    long jobs =
        Pg.count(c, "SELECT count(*) FROM " + schema + ".jobs WHERE workflow_id = " + id.value());
    long waiting =
        Pg.count(
            c,
            "SELECT count(*) FROM "
                + schema
                + ".jobs WHERE state = 'waiting' AND workflow_id = "
                + id.value());
    long deps =
        Pg.count(
            c,
            "SELECT count(*) FROM "
                + schema
                + ".job_deps d JOIN "
                + schema
                + ".jobs j ON j.id = d.job_id WHERE j.workflow_id = "
                + id.value());
    if (jobs != STEPS || waiting != STEPS - 1 || deps != dependencies) {
      throw new IllegalStateException(
          "workflow "
              + id.value()
              + " stored "
              + jobs
              + " jobs ("
              + waiting
              + " waiting) and "
              + deps
              + " dependencies; expected "
              + STEPS
              + " ("
              + (STEPS - 1)
              + " waiting) and "
              + dependencies);
    }
  }

  /** The 1-minute load average, or -1 where /proc/loadavg does not exist. */
  private static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
    } catch (Exception e) {
      return -1;
    }
  }
}
