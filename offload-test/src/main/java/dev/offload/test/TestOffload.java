package dev.offload.test;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.EnqueueOptions;
import dev.offload.Job;
import dev.offload.Job.JobError;
import dev.offload.Job.JobFilter;
import dev.offload.Job.JobId;
import dev.offload.Job.JobPage;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.internal.Json;
import dev.offload.internal.OffloadInternals;
import dev.offload.internal.OffloadInternals.JobInterceptor;
import dev.offload.internal.OffloadInternals.JobStepper;
import dev.offload.store.Store;
import dev.offload.store.Store.JobInsert;
import dev.offload.test.OffloadTest.Mode;
import dev.offload.test.OffloadTest.StoreType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A test's Offload and what the test does with it: enqueue, run jobs ({@link #drain()}, {@link
 * #runNext()}, {@link #run}), move the {@link #clock()}, and assert on what was enqueued. It never
 * starts workers: jobs run on the test's thread, one attempt at a time, through the same code a
 * worker runs, so retries, snoozes, checkpoints, follow-ups and workflow steps behave as in
 * production (per-kind timeouts aside).
 *
 * <p>{@link OffloadTest} makes one per test and closes it after; {@link #create} makes one by hand.
 * Not thread-safe: use it from the test's thread.
 */
public final class TestOffload implements AutoCloseable {
  /** Attempts one {@link #drain()} runs at most before it decides the jobs never end. */
  public static final int MAX_DRAIN_ATTEMPTS = 10_000;

  private final Mode mode;
  private final TestClock clock;
  private final Offload offload;
  private final JobStepper stepper;
  private final Map<String, Class<?>> argsTypes;
  private final TestDatabase database;

  private TestOffload(
      Mode mode, TestDatabase database, TestClock clock, Consumer<Offload.Builder> setup) {
    this.mode = Objects.requireNonNull(mode, "mode");
    this.database = database;
    this.clock = clock;
    OffloadInternals.Access internals = OffloadInternals.access();
    Offload.Builder builder = Offload.builder();
    setup.accept(builder);
    builder.store(database.store()).clock(clock).node("offload-test");
    internals.intercept(
        builder,
        new JobInterceptor() {
          @Override
          public void afterEnqueue(boolean inTransaction) {
            if (!inTransaction) {
              runIfInline();
            }
          }
        });
    Offload built;
    try {
      built = builder.build();
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    this.offload = built;
    this.stepper = internals.stepper(built);
    this.argsTypes = internals.argsTypes(built);
    internals.storeDeclaredSchedules(built);
    clock.onMove(this::runIfInline);
  }

  /**
   * An Offload for a test, configured by {@code setup} (handlers, queues, schedules), on a new
   * database of {@code store}; close it after the test.
   *
   * @param mode how enqueued jobs run
   * @param store where jobs are stored
   * @param setup registers handlers, queues and schedules on the builder
   * @return the test's Offload
   * @throws org.opentest4j.TestAbortedException if PostgreSQL is asked for and does not answer (not
   *     under {@code CI=true}, where it fails)
   */
  public static TestOffload create(Mode mode, StoreType store, Consumer<Offload.Builder> setup) {
    TestClock clock = TestClock.atNow();
    return new TestOffload(mode, TestDatabase.open(store), clock, setup);
  }

  /** {@return the Offload itself, to hand to the code under test} */
  public Offload offload() {
    return offload;
  }

  /** {@return how this Offload runs enqueued jobs} */
  public Mode mode() {
    return mode;
  }

  /** {@return the Offload's clock: move it to make delayed jobs, retries and schedules due} */
  public TestClock clock() {
    return clock;
  }

  /**
   * {@return the store the test's jobs are in (a SQLite file or a PostgreSQL schema of the test's
   * own)}
   */
  public Store store() {
    return database.store();
  }

  /**
   * Enqueues a job, as {@link Offload#enqueue(String, Object)}; in inline mode it has run.
   *
   * @param kind the job's kind
   * @param args its args (anything Jackson can write), or null
   * @return the job's id
   */
  public JobId enqueue(String kind, Object args) {
    return offload.enqueue(kind, args);
  }

  /**
   * Enqueues a job with options, as {@link Offload#enqueue(String, Object, EnqueueOptions)}.
   *
   * @param kind the job's kind
   * @param args its args (anything Jackson can write), or null
   * @param options its options
   * @return the job's id
   */
  public JobId enqueue(String kind, Object args, EnqueueOptions options) {
    return offload.enqueue(kind, args, options);
  }

  /**
   * The job as stored now.
   *
   * @param id the job's id
   * @return the job
   * @throws AssertionError if there is no such job
   */
  public Job job(JobId id) {
    return offload.job(id).orElseThrow(() -> new AssertionError("there is no job " + id));
  }

  /**
   * Enqueues a job and runs it now on this thread (in inline and manual mode), with whatever else
   * falls due meanwhile; returns its result read as {@code resultType}.
   *
   * @param <R> the result's type
   * @param kind the job's kind
   * @param args its args (anything Jackson can write), or null
   * @param resultType what the result is read as
   * @return the result, or null when the job returned none
   * @throws AssertionError if the job did not succeed now (it failed, or is not due), with its
   *     state and last error
   * @throws IllegalStateException in fake mode, where nothing runs
   */
  public <R> R run(String kind, Object args, Class<R> resultType) {
    requireRunning("run");
    JobId id = enqueue(kind, args);
    Job job = job(id);
    while (!job.state().isFinal() && step().isPresent()) {
      job = job(id);
    }
    if (job.state() != JobState.SUCCEEDED) {
      throw new AssertionError("job " + id + " of kind '" + kind + "' " + describeEnd(job));
    }
    JsonNode result = job.result();
    if (result == null || result.isNull()) {
      return null;
    }
    try {
      return Json.convert(result, resultType);
    } catch (Exception e) {
      throw new AssertionError(
          "the result of job " + id + " is not a " + resultType.getSimpleName() + ": " + result, e);
    }
  }

  /**
   * Runs every due job on this thread, one attempt at a time, until none is due: also the jobs that
   * fall due while it runs (retries with an immediate policy, follow-ups, workflow steps that their
   * dependencies released). Fires due schedule ticks first. The clock does not move.
   *
   * @return how many attempts ran
   * @throws IllegalStateException in fake mode, or after {@value #MAX_DRAIN_ATTEMPTS} attempts
   */
  public int drain() {
    requireRunning("drain");
    offload.fireSchedulesNow();
    int ran = 0;
    while (step().isPresent()) {
      if (++ran >= MAX_DRAIN_ATTEMPTS) {
        throw new IllegalStateException(
            "drain ran "
                + ran
                + " attempts and jobs are still due: do they enqueue each other forever?");
      }
    }
    return ran;
  }

  /**
   * Runs one attempt of the next due job on this thread (fires due schedule ticks first).
   *
   * @return the job as stored after the attempt, or empty when no job is due
   * @throws IllegalStateException in fake mode
   */
  public Optional<Job> runNext() {
    requireRunning("runNext");
    offload.fireSchedulesNow();
    OptionalLong id = step();
    return id.isPresent() ? offload.job(new JobId(id.getAsLong())) : Optional.empty();
  }

  private OptionalLong step() {
    return stepper.runNext();
  }

  private void runIfInline() {
    if (mode == Mode.INLINE) {
      drain();
    }
  }

  private void requireRunning(String what) {
    if (mode == Mode.FAKE) {
      throw new IllegalStateException(
          what + " runs jobs, and this test's Offload is in fake mode, where nothing runs");
    }
  }

  // ---------------------------------------------------------------- assertions

  /**
   * Every job of {@code kind} enqueued so far, whatever its state, in the order they were enqueued.
   *
   * @param kind the job's kind
   * @return the jobs
   */
  public List<Job> jobs(String kind) {
    return jobs(JobFilter.any().kind(Objects.requireNonNull(kind, "kind")));
  }

  /** {@return every job enqueued so far, whatever its state, in the order they were enqueued} */
  public List<Job> jobs() {
    return jobs(JobFilter.any());
  }

  private List<Job> jobs(JobFilter filter) {
    List<Job> all = new ArrayList<>();
    String cursor = null;
    do {
      JobPage page = offload.jobs(new JobQuery(filter, JobQuery.MAX_LIMIT, cursor));
      all.addAll(page.jobs());
      cursor = page.nextCursor();
    } while (cursor != null);
    Collections.reverse(all); // listings are newest first
    return all;
  }

  /**
   * The args of every job of {@code kind} enqueued so far, in order, read as the args type of the
   * kind's handler: {@code List<SyncArgs> syncs = offload.enqueued("orders.sync");}.
   *
   * @param <A> the args type
   * @param kind the job's kind
   * @return the args
   * @throws IllegalArgumentException if no handler of {@code kind} is registered (use {@link
   *     #enqueued(String, Class)})
   */
  @SuppressWarnings("unchecked")
  public <A> List<A> enqueued(String kind) {
    Class<?> type = argsTypes.get(kind);
    if (type == null) {
      throw new IllegalArgumentException(
          "no handler of kind '"
              + kind
              + "' is registered, so its args type is unknown: use enqueued(kind, ArgsType.class)");
    }
    return (List<A>) enqueued(kind, type);
  }

  /**
   * The args of every job of {@code kind} enqueued so far, in order, read as {@code argsType}.
   *
   * @param <A> the args type
   * @param kind the job's kind
   * @param argsType what the args are read as
   * @return the args
   */
  public <A> List<A> enqueued(String kind, Class<A> argsType) {
    List<A> args = new ArrayList<>();
    for (Job job : jobs(kind)) {
      args.add(argsOf(job, argsType));
    }
    return args;
  }

  /**
   * Asserts that a job of {@code kind} was enqueued.
   *
   * @param kind the job's kind
   * @return the first such job
   * @throws AssertionError naming what was enqueued instead
   */
  public Job assertEnqueued(String kind) {
    return assertEnqueued(kind, "", job -> true);
  }

  /**
   * Asserts that a job of {@code kind} was enqueued whose args equal {@code expectedArgs} as JSON
   * values (a record, a map or a {@code JsonNode}; key order and number spelling do not matter).
   *
   * @param kind the job's kind
   * @param expectedArgs the args expected
   * @return the first such job
   * @throws AssertionError naming what was enqueued instead
   */
  public Job assertEnqueued(String kind, Object expectedArgs) {
    String expected = Json.write(expectedArgs);
    return assertEnqueued(
        kind, " with args " + expected, job -> JobInsert.sameJson(job.args().toString(), expected));
  }

  /**
   * Asserts that a job of {@code kind} was enqueued whose args, read as {@code argsType}, match
   * {@code matcher}.
   *
   * @param <A> the args type
   * @param kind the job's kind
   * @param argsType what the args are read as
   * @param matcher what the args must satisfy
   * @return the first such job
   * @throws AssertionError naming what was enqueued instead
   */
  public <A> Job assertEnqueued(String kind, Class<A> argsType, Predicate<? super A> matcher) {
    return assertEnqueued(kind, " with matching args", job -> matcher.test(argsOf(job, argsType)));
  }

  private Job assertEnqueued(String kind, String what, Predicate<Job> matches) {
    List<Job> ofKind = jobs(kind);
    for (Job job : ofKind) {
      if (matches.test(job)) {
        return job;
      }
    }
    throw new AssertionError(
        "expected a job of kind '" + kind + "'" + what + " to be enqueued; " + describe(jobs()));
  }

  /**
   * Asserts that no job was enqueued.
   *
   * @throws AssertionError naming what was enqueued
   */
  public void assertNothingEnqueued() {
    List<Job> all = jobs();
    if (!all.isEmpty()) {
      throw new AssertionError("expected no job to be enqueued; " + describe(all));
    }
  }

  private static <A> A argsOf(Job job, Class<A> argsType) {
    try {
      return Json.convert(job.args(), argsType);
    } catch (Exception e) {
      throw new AssertionError(
          "the args of job "
              + job.id()
              + " of kind '"
              + job.kind()
              + "' are not a "
              + argsType.getSimpleName()
              + ": "
              + job.args(),
          e);
    }
  }

  private static String describe(List<Job> jobs) {
    if (jobs.isEmpty()) {
      return "none was";
    }
    Map<String, List<String>> byKind = new LinkedHashMap<>();
    for (Job job : jobs) {
      byKind.computeIfAbsent(job.kind(), k -> new ArrayList<>()).add(String.valueOf(job.args()));
    }
    StringBuilder out = new StringBuilder("enqueued were:");
    byKind.forEach((kind, args) -> {
      out.append("\n  ").append(kind).append(": ");
      out.append(String.join(", ", args.subList(0, Math.min(args.size(), 10))));
      if (args.size() > 10) {
        out.append(" and ").append(args.size() - 10).append(" more");
      }
    });
    return out.toString();
  }

  private static String describeEnd(Job job) {
    String state = "is " + job.state().wireName();
    if (job.errors().isEmpty()) {
      return job.state() == JobState.SCHEDULED || job.state() == JobState.RETRYING
          ? state + " until " + job.runAt() + " (move the clock to run it)"
          : state;
    }
    JobError last = job.errors().get(job.errors().size() - 1);
    return state
        + " after attempt "
        + last.attempt()
        + " failed: "
        + last.errorClass()
        + ": "
        + last.message();
  }

  /** Closes the Offload and deletes its database (the SQLite file, or the PostgreSQL schema). */
  @Override
  public void close() {
    try {
      offload.close();
    } finally {
      database.close();
    }
  }
}
