package dev.offload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A job as stored, read with {@link Offload#job}. Its JSON form is the document of {@code GET
 * /api/jobs/{id}} and {@code offload status --json}.
 *
 * @param id the job's id
 * @param kind what runs it
 * @param queue the queue it waits in
 * @param state where it is in its lifecycle
 * @param priority 0 runs first, 9 last
 * @param args the args as JSON; a {@link MissingNode} (absent from the JSON document) when a
 *     listing left them out ({@link JobQuery#fields})
 * @param attempt attempts started so far
 * @param maxAttempts attempts allowed in all
 * @param runAt when it may run (next)
 * @param createdAt when it was enqueued
 * @param startedAt when the handler of its latest attempt started; null before, and while the job
 *     is claimed by a node but held for a free slot (running, not started)
 * @param finishedAt when it reached a final state, or null
 * @param node the node running it (or that ran its latest attempt), or null
 * @param errors every failed attempt's error, oldest first
 * @param result the handler's result, or null; a {@link MissingNode} (absent from the JSON
 *     document) when a listing left it out
 * @param progress the latest reported progress, or null
 * @param checkpoint the latest checkpoint, or null
 * @param failedItems items that failed without failing the job, or null when none did
 * @param parentId the job this one retries the failed items of, or null
 * @param schedule the schedule that made this job (its {@code runAt} is the tick), or null
 * @param workflowId the workflow this job is a step of, or null
 * @param step its step name in that workflow, or null
 * @param concurrencyKey the key its queue's per-key limit and rate count it under, or null
 * @param uniqueKey the key that keeps it unique while it is pending or running, or null
 * @param waiting why a job that is due does not start, e.g. {@code waiting: key tenant:42 at its
 *     limit of 1}; null when nothing holds it back (or when not looked up)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Job(
    JobId id,
    String kind,
    String queue,
    JobState state,
    int priority,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = LeftOut.class) JsonNode args,
    int attempt,
    int maxAttempts,
    Instant runAt,
    Instant createdAt,
    @Nullable Instant startedAt,
    @Nullable Instant finishedAt,
    @Nullable String node,
    List<JobError> errors,
    @Nullable @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = LeftOut.class)
        JsonNode result,
    @Nullable Progress progress,
    @Nullable JsonNode checkpoint,
    @Nullable FailedItems failedItems,
    @Nullable JobId parentId,
    @Nullable String schedule,
    @Nullable Long workflowId,
    @Nullable String step,
    @Nullable String concurrencyKey,
    @Nullable String uniqueKey,
    @Nullable String waiting) {

  /** Copies the errors (none when null). */
  public Job {
    errors = errors == null ? List.of() : List.copyOf(errors);
  }

  /**
   * This job with the reason it waits.
   *
   * @param waiting why a pending job is not claimed yet, or null
   * @return a copy with {@code waiting} set
   */
  public Job withWaiting(@Nullable String waiting) {
    return new Job(
        id,
        kind,
        queue,
        state,
        priority,
        args,
        attempt,
        maxAttempts,
        runAt,
        createdAt,
        startedAt,
        finishedAt,
        node,
        errors,
        result,
        progress,
        checkpoint,
        failedItems,
        parentId,
        schedule,
        workflowId,
        step,
        concurrencyKey,
        uniqueKey,
        waiting);
  }

  /**
   * Jackson's filter for {@code args} and {@code result}: a value left out is not written at all.
   */
  static final class LeftOut {
    @Override
    public boolean equals(Object value) {
      return value instanceof MissingNode;
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }

  /**
   * The identity of a job: a positive number assigned by the store.
   *
   * @param value the number
   */
  public record JobId(long value) {
    /** Checks that the id is positive. */
    public JobId {
      if (value <= 0) {
        throw new IllegalArgumentException("job id must be positive, got " + value);
      }
    }

    /**
     * The id {@code value}.
     *
     * @param value a positive number
     * @return the id
     */
    @JsonCreator
    public static JobId of(long value) {
      return new JobId(value);
    }

    /**
     * Parses an id as typed by a user; throws {@link IllegalArgumentException} with the bad text.
     *
     * @param text the id as typed
     * @return the id
     */
    public static JobId parse(String text) {
      try {
        return new JobId(Long.parseLong(text.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("job id must be a positive number, got '" + text + "'");
      }
    }

    /** {@return the number} */
    @JsonValue
    @Override
    public long value() {
      return value;
    }

    @Override
    public String toString() {
      return Long.toString(value);
    }
  }

  /**
   * The states of a job, as in {@code docs/states.md}. Stored, serialized and shown in lower case.
   *
   * <pre>
   * scheduled --run_at reached--> available --claimed--> running --ok--> succeeded
   *                                   ^                    |--error, attempts left--> retrying --backoff--> available
   *                                   |                    |--error, none left / permanent--> dead
   *                                   |                    |--cancel--> cancelled
   *                                   +---- replay from dead / cancelled
   * waiting --every dependency succeeded (or ended, for an onFailure=continue step)--> available
   * waiting --a dependency ended dead or cancelled (onFailure=cancel)--> cancelled
   * </pre>
   *
   * <p>{@code waiting} is a workflow step whose dependencies have not all ended; it is never
   * claimed.
   */
  public enum JobState {
    /** Due later, at its {@code runAt}. */
    SCHEDULED,
    /** Due: waiting for a worker to claim it. */
    AVAILABLE,
    /** Claimed by a node: its handler runs (or is about to). */
    RUNNING,
    /** An attempt failed; it runs again at its {@code runAt}. */
    RETRYING,
    /** Its handler returned. Final. */
    SUCCEEDED,
    /** Its attempts are used up, or it failed permanently. Final. */
    DEAD,
    /** A user cancelled it, or a workflow dependency failed. Final. */
    CANCELLED,
    /** A workflow step whose dependencies have not all ended; never claimed. */
    WAITING;

    /** {@return the name used in SQL, JSON and the CLI} */
    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name; throws {@link IllegalArgumentException} naming the valid states.
     *
     * @param name the wire name, such as {@code dead}
     * @return the state
     */
    @JsonCreator
    public static JobState fromWire(String name) {
      return Validate.fromWire(
          values(),
          name,
          () ->
              "unknown job state '"
                  + name
                  + "' (expected one of scheduled, available, running, retrying, succeeded, dead, cancelled, waiting)");
    }

    /** {@return whether the job has ended and will not run again unless replayed} */
    public boolean isFinal() {
      return this == SUCCEEDED || this == DEAD || this == CANCELLED;
    }
  }

  /**
   * One failed attempt, as kept on the job: which attempt, when, on which node, and what was
   * thrown.
   *
   * @param attempt the attempt number that failed, starting at 1
   * @param at when the failure was recorded
   * @param node the worker node that ran the attempt (or the rescuer's node for a lost worker)
   * @param errorClass the exception's class name
   * @param message the exception's message, possibly null
   * @param stackTrace the full stack trace, possibly null
   */
  public record JobError(
      int attempt,
      Instant at,
      String node,
      String errorClass,
      @Nullable String message,
      @Nullable String stackTrace) {}

  /**
   * A job's reported progress, as stored and served ({@code GET /api/jobs/{id}}, {@code offload
   * status}).
   *
   * @param percent 0 to 100: the weighted sum over stages, or done/total without stages
   * @param done items done in the current stage (or in the job, without stages)
   * @param total items in the current stage, or null when the handler has not said
   * @param stage the current stage's name, or null without stages
   * @param stages every declared stage with its weight and percent, in order
   * @param message the handler's latest message for humans, or null
   * @param eta estimated seconds left as of {@code updatedAt}, or null when there is nothing to go
   *     on
   * @param failedItems how many items failed so far (see {@link JobContext#itemFailed})
   * @param updatedAt when this was measured
   */
  public record Progress(
      double percent,
      long done,
      @Nullable Long total,
      @Nullable String stage,
      List<StageProgress> stages,
      @Nullable String message,
      @Nullable Double eta,
      long failedItems,
      Instant updatedAt) {

    /** Copies the stages (none when null). */
    public Progress {
      stages = stages == null ? List.of() : List.copyOf(stages);
    }

    /**
     * One stage's part of the progress.
     *
     * @param name the stage
     * @param weight its share of the whole
     * @param percent 0 to 100 within the stage
     * @param durationMs how long it took, once finished; null before
     */
    public record StageProgress(
        String name, double weight, double percent, @Nullable Long durationMs) {}
  }

  /**
   * A named part of a job with a weight: a job with stages fetch 1, import 4, verify 1 is 1/6 done
   * when fetch is over. Declare them with {@link JobContext#stages}.
   *
   * @param name the stage's name, 1 to 100 characters
   * @param weight its share of the whole; positive
   */
  public record Stage(String name, double weight) {
    /** Checks the name (1 to 100 characters) and that the weight is positive. */
    public Stage {
      if (name == null || name.isBlank() || name.length() > 100) {
        throw new IllegalArgumentException(
            "stage name must be 1-100 characters, got "
                + (name == null ? "null" : "'" + name + "'"));
      }
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            "weight of stage '" + name + "' must be positive, got " + weight);
      }
    }

    /**
     * A stage.
     *
     * @param name its name, 1 to 100 characters
     * @param weight its share of the whole; positive
     * @return the stage
     */
    public static Stage of(String name, double weight) {
      return new Stage(name, weight);
    }
  }

  /**
   * Items of a bulk job that failed without failing the job ({@link JobContext#itemFailed}). The
   * first {@value #KEPT} are kept with their errors; {@code count} counts all of them.
   *
   * @param count how many items failed in all
   * @param items the first {@value #KEPT}, in the order they failed
   */
  public record FailedItems(long count, List<Item> items) {
    /** How many failed items are kept with their errors. */
    public static final int KEPT = 1_000;

    /** Copies the items (none when null). */
    public FailedItems {
      items = items == null ? List.of() : List.copyOf(items);
    }

    /** {@return how many failed items are counted but not listed} */
    @com.fasterxml.jackson.annotation.JsonProperty("omitted")
    public long omitted() {
      return count - items.size();
    }

    /**
     * One failed item.
     *
     * @param key its key (an order number, a row id)
     * @param error what went wrong
     */
    public record Item(String key, String error) {}
  }

  /**
   * One page of {@link Offload#jobs}; {@code nextCursor} is null on the last page. The cursor is
   * opaque: pass it back as it is.
   *
   * @param jobs the jobs, newest first
   * @param nextCursor the cursor of the next page, or null on the last
   */
  public record JobPage(List<Job> jobs, @Nullable String nextCursor) {
    /** Copies the jobs. */
    public JobPage {
      jobs = List.copyOf(jobs);
    }

    /**
     * A page whose cursor continues after its last job when the page is full.
     *
     * @param jobs the page's jobs, newest first
     * @param limit the page size asked for
     * @return the page
     */
    public static JobPage of(List<Job> jobs, int limit) {
      String next =
          jobs.size() < limit ? null : encodeCursor(jobs.get(jobs.size() - 1).id().value());
      return new JobPage(jobs, next);
    }

    static String encodeCursor(long beforeId) {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(("id:" + beforeId).getBytes(StandardCharsets.UTF_8));
    }

    static long decodeCursor(String cursor) {
      try {
        String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        if (text.startsWith("id:")) {
          return Long.parseLong(text.substring(3));
        }
      } catch (IllegalArgumentException e) {
        // falls through to the error below
      }
      throw new IllegalArgumentException("cursor is not one this API returned: '" + cursor + "'");
    }
  }

  /**
   * Which jobs a listing or a bulk action ({@link Offload#replay}, {@link Offload#purge}) applies
   * to: every non-null field must match.
   *
   * @param state or null for any
   * @param queue or null for any
   * @param kind or null for any
   * @param errorClass the class name of the job's latest error (at most 1,000 characters, no
   *     control characters), or null for any
   * @param finishedAfter only jobs that finished at or after this, or null
   * @param finishedBefore only jobs that finished before this, or null
   */
  public record JobFilter(
      @Nullable JobState state,
      @Nullable String queue,
      @Nullable String kind,
      @Nullable String errorClass,
      @Nullable Instant finishedAfter,
      @Nullable Instant finishedBefore) {

    private static final JobFilter ANY = new JobFilter(null, null, null, null, null, null);

    /** Checks the names, the error class and the time range. */
    public JobFilter {
      if (queue != null) {
        Validate.queueName(queue);
      }
      if (kind != null) {
        Validate.kind(kind);
      }
      if (errorClass != null
          && (errorClass.length() > 1000 || errorClass.chars().anyMatch(Character::isISOControl))) {
        throw new IllegalArgumentException(
            "errorClass must be a class name (at most 1000 characters, no control characters), got "
                + (errorClass.length() > 60 ? errorClass.substring(0, 57) + "..." : errorClass)
                    .replaceAll("\\p{Cntrl}", "?"));
      }
      if (finishedAfter != null
          && finishedBefore != null
          && !finishedAfter.isBefore(finishedBefore)) {
        throw new IllegalArgumentException(
            "finishedAfter " + finishedAfter + " must be before finishedBefore " + finishedBefore);
      }
    }

    /** {@return a filter that every job matches} */
    public static JobFilter any() {
      return ANY;
    }

    /** {@return the dead-letter queue: every dead job} */
    public static JobFilter dead() {
      return ANY.state(JobState.DEAD);
    }

    /**
     * Sets the state.
     *
     * @param state the state, or null for any
     * @return a copy with that state
     */
    public JobFilter state(@Nullable JobState state) {
      return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
    }

    /**
     * Sets the queue.
     *
     * @param queue the queue, or null for any
     * @return a copy with that queue
     */
    public JobFilter queue(@Nullable String queue) {
      return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
    }

    /**
     * Sets the kind.
     *
     * @param kind the kind, or null for any
     * @return a copy with that kind
     */
    public JobFilter kind(@Nullable String kind) {
      return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
    }

    /**
     * Sets the class name of the latest error.
     *
     * @param errorClass the class name, or null for any
     * @return a copy with that error class
     */
    public JobFilter errorClass(@Nullable String errorClass) {
      return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
    }

    /**
     * Keeps the jobs that finished at or after a time.
     *
     * @param finishedAfter the time, or null for no bound
     * @return a copy with that bound
     */
    public JobFilter finishedAfter(@Nullable Instant finishedAfter) {
      return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
    }

    /**
     * Keeps the jobs that finished before a time.
     *
     * @param finishedBefore the time, or null for no bound
     * @return a copy with that bound
     */
    public JobFilter finishedBefore(@Nullable Instant finishedBefore) {
      return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
    }
  }

  /**
   * One page of {@link Offload#jobs}: the jobs matching {@code filter}, newest first.
   *
   * @param filter which jobs
   * @param limit page size, 1 to 1000
   * @param cursor the {@link JobPage#nextCursor()} of the previous page, or null for the first
   * @param fields which of the large fields the jobs of the page carry (args, result); a field left
   *     out is a {@link com.fasterxml.jackson.databind.node.MissingNode} in the {@link Job} and
   *     absent from its JSON document, so a page costs the same whatever the jobs hold. All by
   *     default in Java; the HTTP API and the CLI leave both out unless asked ({@code
   *     ?fields=args,result}).
   */
  public record JobQuery(JobFilter filter, int limit, @Nullable String cursor, Set<Field> fields) {
    /** The largest page. */
    public static final int MAX_LIMIT = 1000;

    /**
     * The fields of a job that a listing may leave out: they hold whatever the handler was given or
     * returned.
     */
    public enum Field {
      /** The job's args. */
      ARGS,
      /** The job's result. */
      RESULT;

      /** {@return the name in {@code ?fields=} and {@code --fields}} */
      public String wireName() {
        return name().toLowerCase(Locale.ROOT);
      }

      /**
       * Reads a comma-separated list such as {@code "args,result"}; empty text gives none.
       *
       * @param text the list
       * @return the fields named
       * @throws IllegalArgumentException naming an unknown field
       */
      public static Set<Field> parseList(String text) {
        Set<Field> fields = EnumSet.noneOf(Field.class);
        for (String part : text.split(",")) {
          String name = part.strip();
          if (name.isEmpty()) {
            continue;
          }
          try {
            fields.add(valueOf(name.toUpperCase(Locale.ROOT)));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "fields must be a list of args and result, got '" + name + "'");
          }
        }
        return fields;
      }
    }

    /**
     * A query whose jobs carry every field.
     *
     * @param filter which jobs
     * @param limit page size, 1 to 1000
     * @param cursor the {@link JobPage#nextCursor()} of the previous page, or null for the first
     */
    public JobQuery(JobFilter filter, int limit, @Nullable String cursor) {
      this(filter, limit, cursor, EnumSet.allOf(Field.class));
    }

    /** Checks the limit and the cursor; a null filter matches every job. */
    public JobQuery {
      fields = fields == null || fields.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(fields));
      if (filter == null) {
        filter = JobFilter.any();
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new IllegalArgumentException(
            "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
      }
      if (cursor != null) {
        JobPage.decodeCursor(cursor);
      }
    }

    /** {@return the first 50 jobs of every kind, newest first} */
    public static JobQuery all() {
      return new JobQuery(JobFilter.any(), 50, null);
    }

    /**
     * The first 50 jobs matching a filter.
     *
     * @param filter which jobs
     * @return the query
     */
    public static JobQuery of(JobFilter filter) {
      return new JobQuery(filter, 50, null);
    }

    /**
     * Sets the state.
     *
     * @param state the state, or null for any
     * @return a copy with that state
     */
    public JobQuery state(@Nullable JobState state) {
      return new JobQuery(filter.state(state), limit, cursor, fields);
    }

    /**
     * Sets the queue.
     *
     * @param queue the queue, or null for any
     * @return a copy with that queue
     */
    public JobQuery queue(@Nullable String queue) {
      return new JobQuery(filter.queue(queue), limit, cursor, fields);
    }

    /**
     * Sets the kind.
     *
     * @param kind the kind, or null for any
     * @return a copy with that kind
     */
    public JobQuery kind(@Nullable String kind) {
      return new JobQuery(filter.kind(kind), limit, cursor, fields);
    }

    /**
     * Sets the page size.
     *
     * @param limit 1 to {@value #MAX_LIMIT}
     * @return a copy with that size
     */
    public JobQuery limit(int limit) {
      return new JobQuery(filter, limit, cursor, fields);
    }

    /**
     * Sets where the page starts.
     *
     * @param cursor the {@link JobPage#nextCursor()} of the previous page, or null for the first
     * @return a copy with that cursor
     */
    public JobQuery cursor(@Nullable String cursor) {
      return new JobQuery(filter, limit, cursor, fields);
    }

    /**
     * The same query, its jobs carrying only these of the large fields (none: {@code Set.of()}).
     *
     * @param fields the large fields the jobs carry
     * @return a copy with those fields
     */
    public JobQuery fields(Set<Field> fields) {
      return new JobQuery(filter, limit, cursor, fields);
    }

    /**
     * Whether the jobs of the page carry {@code field}.
     *
     * @param field a large field
     * @return true when the jobs carry it
     */
    public boolean includes(Field field) {
      return fields.contains(field);
    }

    /** {@return the filter's state, or null for any} */
    public @Nullable JobState state() {
      return filter.state();
    }

    /** {@return the filter's queue, or null for any} */
    public @Nullable String queue() {
      return filter.queue();
    }

    /** {@return the filter's kind, or null for any} */
    public @Nullable String kind() {
      return filter.kind();
    }

    /**
     * {@return the id below which the page starts, or {@link Long#MAX_VALUE} for the first page}
     */
    public long beforeId() {
      return cursor == null ? Long.MAX_VALUE : JobPage.decodeCursor(cursor);
    }
  }
}
