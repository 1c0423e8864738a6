package dev.offload;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.offload.internal.Json;
import org.jspecify.annotations.Nullable;

/**
 * What {@link Offload#runOrDefer} (or {@link Offload#await}) came back with: either the job {@link
 * Finished finished} within the budget, with its result read as {@code R}, or it is {@link Deferred
 * deferred}: it keeps running in the background, and the caller answers with its id and progress
 * URL.
 *
 * <pre>{@code
 * switch (offload.runOrDefer("reports.monthly", args, Report.class, Duration.ofSeconds(10))) {
 *   case Outcome.Finished<Report> f when f.succeeded() -> render(f.result());
 *   case Outcome.Finished<Report> f -> fail(f.job().errors());
 *   case Outcome.Deferred<Report> d -> accepted(d.id(), d.progressUrl());
 * }
 * }</pre>
 *
 * @param <R> the type the job's result is read as
 */
public sealed interface Outcome<R> {

  /** The job as it was when the call returned. */
  Job job();

  /** The job's id. */
  default JobId id() {
    return job().id();
  }

  /** Whether the job reached a final state (succeeded, dead or cancelled) within the budget. */
  default boolean finished() {
    return this instanceof Finished;
  }

  /** Whether the job succeeded within the budget. */
  default boolean succeeded() {
    return job().state() == JobState.SUCCEEDED;
  }

  /**
   * The path at which the Offload server shows the job ({@code /api/jobs/{id}}, with its events at
   * {@code /api/jobs/{id}/events}), relative to where the server's API is mounted. A {@link
   * Deferred} of an Offload with a progress key carries the job's signed URL instead ({@link
   * Offload#progressUrl(JobId)}), which the job's user may be given.
   */
  default String progressUrl() {
    return "/api/jobs/" + id().value();
  }

  /**
   * The job ended within the budget.
   *
   * @param job the job in its final state
   * @param result its result read as {@code R} when it succeeded with a result, else null
   */
  record Finished<R>(Job job, @Nullable R result) implements Outcome<R> {
    public Finished {
      if (!job.state().isFinal()) {
        throw new IllegalArgumentException(
            "job " + job.id() + " is " + job.state().wireName() + ", not finished");
      }
    }
  }

  /**
   * The job did not end within the budget; it carries on in the background.
   *
   * @param job the job when the call returned (scheduled, available, running or retrying)
   * @param progressUrl where to follow it: the signed URL of {@link Offload#progressUrl(JobId)}
   *     (valid for {@link Offload#DEFAULT_PROGRESS_TTL}) when the Offload has a progress key, else
   *     the plain {@code /api/jobs/{id}}, which needs the admin token
   */
  record Deferred<R>(Job job, String progressUrl) implements Outcome<R> {
    public Deferred {
      java.util.Objects.requireNonNull(progressUrl, "progressUrl");
    }

    /** The job with its plain path as the progress URL. */
    public Deferred(Job job) {
      this(job, "/api/jobs/" + job.id().value());
    }
  }

  /**
   * The outcome for {@code job} as read now, its result read as {@code type}.
   *
   * @throws IllegalArgumentException if the job succeeded with a result that is not a {@code type}
   */
  static <R> Outcome<R> of(Job job, Class<R> type) {
    if (!job.state().isFinal()) {
      return new Deferred<>(job);
    }
    if (job.state() != JobState.SUCCEEDED || job.result() == null || job.result().isNull()) {
      return new Finished<>(job, null);
    }
    try {
      return new Finished<>(job, Json.convert(job.result(), type));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the result of job "
              + job.id()
              + " is not a "
              + type.getSimpleName()
              + ": "
              + e.getOriginalMessage(),
          e);
    }
  }
}
