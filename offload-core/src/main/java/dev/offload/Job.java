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

  public Job {
    errors = errors == null ? List.of() : List.copyOf(errors);
  }

  /** This job with the reason it waits. */
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

  /** The identity of a job: a positive number assigned by the store. */
  public record JobId(long value) {
    public JobId {
      if (value <= 0) {
        throw new IllegalArgumentException("job id must be positive, got " + value);
      }
    }

    @JsonCreator
    public static JobId of(long value) {
      return new JobId(value);
    }

    /**
     * Parses an id as typed by a user; throws {@link IllegalArgumentException} with the bad text.
     */
    public static JobId parse(String text) {
      try {
        return new JobId(Long.parseLong(text.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("job id must be a positive number, got '" + text + "'");
      }
    }

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
    SCHEDULED,
    AVAILABLE,
    RUNNING,
    RETRYING,
    SUCCEEDED,
    DEAD,
    CANCELLED,
    WAITING;

    /** The name used in SQL, JSON and the CLI. */
    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; throws {@link IllegalArgumentException} naming the valid states. */
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

    /** Whether the job has ended and will not run again unless replayed. */
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
   */
  public record Stage(String name, double weight) {
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
    public static final int KEPT = 1_000;

    public FailedItems {
      items = items == null ? List.of() : List.copyOf(items);
    }

    /** How many failed items are counted but not listed. */
    @com.fasterxml.jackson.annotation.JsonProperty("omitted")
    public long omitted() {
      return count - items.size();
    }

    /** One failed item: its key (an order number, a row id) and what went wrong. */
    public record Item(String key, String error) {}
  }

  /**
   * One page of {@link Offload#jobs}; {@code nextCursor} is null on the last page. The cursor is
   * opaque: pass it back as it is.
   */
  public record JobPage(List<Job> jobs, @Nullable String nextCursor) {
    public JobPage {
      jobs = List.copyOf(jobs);
    }

    /** A page whose cursor continues after its last job when the page is full. */
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

    public static JobFilter any() {
      return ANY;
    }

    /** The dead-letter queue: every dead job. */
    public static JobFilter dead() {
      return ANY.state(JobState.DEAD);
    }

    public JobFilter state(@Nullable JobState state) {
      return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
    }

    public JobFilter queue(@Nullable String queue) {
      return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
    }

    public JobFilter kind(@Nullable String kind) {
      return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
    }

    public JobFilter errorClass(@Nullable String errorClass) {
      return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
    }

    public JobFilter finishedAfter(@Nullable Instant finishedAfter) {
      return new JobFilter(state, queue, kind, errorClass, finishedAfter, finishedBefore);
    }

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
    public static final int MAX_LIMIT = 1000;

    /**
     * The fields of a job that a listing may leave out: they hold whatever the handler was given or
     * returned.
     */
    public enum Field {
      ARGS,
      RESULT;

      /** The name in {@code ?fields=} and {@code --fields}. */
      public String wireName() {
        return name().toLowerCase(Locale.ROOT);
      }

      /**
       * Reads a comma-separated list such as {@code "args,result"}; empty text gives none.
       *
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

    /** A query whose jobs carry every field. */
    public JobQuery(JobFilter filter, int limit, @Nullable String cursor) {
      this(filter, limit, cursor, EnumSet.allOf(Field.class));
    }

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

    public static JobQuery all() {
      return new JobQuery(JobFilter.any(), 50, null);
    }

    public static JobQuery of(JobFilter filter) {
      return new JobQuery(filter, 50, null);
    }

    public JobQuery state(@Nullable JobState state) {
      return new JobQuery(filter.state(state), limit, cursor, fields);
    }

    public JobQuery queue(@Nullable String queue) {
      return new JobQuery(filter.queue(queue), limit, cursor, fields);
    }

    public JobQuery kind(@Nullable String kind) {
      return new JobQuery(filter.kind(kind), limit, cursor, fields);
    }

    public JobQuery limit(int limit) {
      return new JobQuery(filter, limit, cursor, fields);
    }

    public JobQuery cursor(@Nullable String cursor) {
      return new JobQuery(filter, limit, cursor, fields);
    }

    /**
     * The same query, its jobs carrying only these of the large fields (none: {@code Set.of()}).
     */
    public JobQuery fields(Set<Field> fields) {
      return new JobQuery(filter, limit, cursor, fields);
    }

    /** Whether the jobs of the page carry {@code field}. */
    public boolean includes(Field field) {
      return fields.contains(field);
    }

    public @Nullable JobState state() {
      return filter.state();
    }

    public @Nullable String queue() {
      return filter.queue();
    }

    public @Nullable String kind() {
      return filter.kind();
    }

    /** The id below which the page starts, or {@link Long#MAX_VALUE} for the first page. */
    public long beforeId() {
      return cursor == null ? Long.MAX_VALUE : JobPage.decodeCursor(cursor);
    }
  }
}
