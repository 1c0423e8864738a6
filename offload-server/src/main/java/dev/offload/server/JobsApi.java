package dev.offload.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job;
import dev.offload.Job.JobFilter;
import dev.offload.Job.JobId;
import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.Offload.Outcome;
import dev.offload.OffloadException.IdempotencyKeyConflictException;
import dev.offload.OffloadException.InvalidJobException;
import dev.offload.OffloadException.NoSuchJobException;
import dev.offload.OffloadException.UnknownKindException;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The job endpoints: enqueue, read, list, cancel, retry, delete, and bulk replay of dead jobs.
 * Every job document is {@link Job} as the one mapper writes it, the same as {@code offload status
 * --json}; a page is {@code {"jobs": [...], "nextCursor": ...}} as {@code offload jobs --json}.
 */
record JobsApi(Offload offload, long maxBodyBytes) {

  /**
   * {@code POST /api/jobs}: 202 with {@code Location} and the job; with {@code wait}, 200 and the
   * finished job when it ended in time. The {@code Idempotency-Key} header makes a repeated request
   * answer with the job the first one created; the key with another kind or other args is 422. A
   * {@code uniqueKey} held by a pending or running job (or one finished within {@code uniqueFor})
   * answers 200 with that job and {@code Offload-Duplicate: true}.
   */
  void enqueue(Context ctx) throws InterruptedException {
    JsonNode body = Http.jsonBody(ctx, maxBodyBytes);
    String key = ctx.header("Idempotency-Key");
    EnqueueRequest req = EnqueueRequest.parse(body, key == null || key.isEmpty() ? null : key);
    // InvalidJobException (413 or 422 naming the field) is answered by the server's exception
    // mapping, as on every route.
    JobId id;
    boolean duplicate;
    try {
      dev.offload.EnqueueOptions.Enqueued enqueued =
          offload.enqueueOrFind(req.kind(), req.args(), req.options());
      id = enqueued.id();
      duplicate = enqueued.duplicate() && req.options().uniqueKey() != null;
    } catch (InvalidJobException e) {
      throw e;
    } catch (UnknownKindException e) {
      // The core's message names the Java option; the API has none, so say what works here.
      throw ApiException.invalid(
          "kind",
          "unknown job kind '"
              + e.kind()
              + "': no worker has announced it to this store;"
              + " check the name, or start a worker that runs it first (the API accepts only kinds a worker has announced)");
    } catch (IdempotencyKeyConflictException e) {
      // As the IETF Idempotency-Key draft: a key reused with another payload is 422.
      throw ApiException.invalid("Idempotency-Key", e.getMessage());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(e.getMessage());
    }
    ctx.header("Location", Http.location(ctx, "/api/jobs/" + id.value()));
    if (duplicate) {
      ctx.header("Offload-Duplicate", "true");
    }
    if (req.waitFor() != null) {
      Outcome<?> outcome = offload.await(id, req.waitFor());
      Http.json(ctx, outcome.finished() || duplicate ? 200 : 202, outcome.job());
      return;
    }
    Http.json(
        ctx, duplicate ? 200 : 202, offload.job(id).orElseThrow(() -> new NoSuchJobException(id)));
  }

  /** {@code GET /api/jobs/{id}}: the job, or only its {@link JobProgressView} for a read token. */
  void get(Context ctx) {
    JobId id = Http.jobId(ctx);
    Job job = offload.job(id).orElseThrow(() -> new NoSuchJobException(id));
    Http.json(ctx, 200, ReadTokens.granted(ctx) ? JobProgressView.of(job) : job);
  }

  /**
   * {@code GET /api/jobs?state=&queue=&kind=&errorClass=&limit=&cursor=&fields=}: newest first.
   * Jobs come without {@code args} and {@code result} unless {@code fields} names them ({@code
   * fields=args,result}), so a page of 1,000 costs the same whatever the jobs hold; every other
   * field is there.
   */
  void list(Context ctx) {
    Http.json(ctx, 200, offload.jobs(query(ctx, 50, JobQuery.MAX_LIMIT)));
  }

  /**
   * {@code POST /api/jobs/{id}/cancel}: 200 and the job when cancelled, 202 while a running attempt
   * stops.
   */
  void cancel(Context ctx) {
    JobId id = Http.jobId(ctx);
    JobState after = refusedAsConflict(() -> offload.cancel(id));
    Http.json(
        ctx,
        after == JobState.CANCELLED ? 200 : 202,
        offload.job(id).orElseThrow(() -> new NoSuchJobException(id)));
  }

  /** {@code POST /api/jobs/{id}/retry}: 200 and the job, available again. */
  void retry(Context ctx) {
    JobId id = Http.jobId(ctx);
    refusedAsConflict(() -> offload.retry(id));
    Http.json(ctx, 200, offload.job(id).orElseThrow(() -> new NoSuchJobException(id)));
  }

  /** {@code DELETE /api/jobs/{id}}: 204. */
  void delete(Context ctx) {
    JobId id = Http.jobId(ctx);
    refusedAsConflict(() -> offload.delete(id));
    ctx.status(204);
  }

  /** Does {@code action}; a job in a state it cannot start from is a 409 that says why. */
  static <T> T refusedAsConflict(Supplier<T> action) {
    try {
      return action.get();
    } catch (IllegalStateException e) {
      throw ApiException.conflict(e.getMessage());
    }
  }

  /** As {@link #refusedAsConflict(Supplier)}, for an action without an answer. */
  static void refusedAsConflict(Runnable action) {
    refusedAsConflict(() -> {
      action.run();
      return null;
    });
  }

  private static final Set<String> REPLAY_FIELDS = Set.of("kind", "queue", "errorClass", "state");

  /**
   * {@code POST /api/dead/replay} with {@code {kind?, queue?, errorClass?, state?}} (an empty body
   * replays every dead job): {@code {"replayed": n}}.
   */
  void replay(Context ctx) {
    JsonNode body = Http.optionalJsonBody(ctx, maxBodyBytes);
    JobFilter filter = JobFilter.dead();
    if (body != null) {
      if (!body.isObject()) {
        throw ApiException.invalid(
            "the body must be a JSON object such as {\"kind\": \"emails.send\"}, or empty");
      }
      Http.rejectUnknownFields(body, REPLAY_FIELDS, "kind, queue, errorClass or state");
      filter = with(filter, "kind", body, JobFilter::kind);
      filter = with(filter, "queue", body, JobFilter::queue);
      filter = with(filter, "errorClass", body, JobFilter::errorClass);
      JsonNode state = body.get("state");
      if (state != null && !state.isNull()) {
        JobState s = state(state.asText());
        if (s != JobState.DEAD && s != JobState.CANCELLED) {
          throw ApiException.invalid(
              "state",
              "state must be dead or cancelled: only those jobs can be replayed, got " + state);
        }
        filter = filter.state(s);
      }
    }
    int n;
    try {
      n = offload.replay(filter);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(e.getMessage());
    }
    Http.json(ctx, 200, Map.of("replayed", n));
  }

  private interface FilterField {
    JobFilter apply(JobFilter filter, String value);
  }

  private static JobFilter with(JobFilter filter, String field, JsonNode body, FilterField set) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return filter;
    }
    if (!v.isTextual()) {
      throw ApiException.invalid(field, field + " must be a string, got " + BodyFields.describe(v));
    }
    try {
      return set.apply(filter, v.asText());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(field, e.getMessage());
    }
  }

  /**
   * The job query of a listing's parameters; 422 naming the parameter at fault. The jobs carry args
   * and results only when {@code fields} asks for them.
   */
  static JobQuery query(Context ctx, int defaultLimit, int maxLimit) {
    JobFilter filter = JobFilter.any();
    String state = Http.param(ctx, "state");
    if (state != null) {
      filter = filter.state(state(state));
    }
    filter = param(ctx, filter, "queue", JobFilter::queue);
    filter = param(ctx, filter, "kind", JobFilter::kind);
    filter = param(ctx, filter, "errorClass", JobFilter::errorClass);
    int limit = defaultLimit;
    String limitText = Http.param(ctx, "limit");
    if (limitText != null) {
      try {
        limit = Integer.parseInt(limitText);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > maxLimit) {
        throw ApiException.invalid(
            "limit",
            "limit must be a whole number from 1 to " + maxLimit + ", got '" + limitText + "'");
      }
    }
    Set<JobQuery.Field> fields = Set.of();
    String fieldsText = Http.param(ctx, "fields");
    if (fieldsText != null) {
      try {
        fields = JobQuery.Field.parseList(fieldsText);
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid("fields", e.getMessage());
      }
    }
    String cursor = Http.param(ctx, "cursor");
    try {
      return new JobQuery(filter, limit, cursor, fields);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("cursor", e.getMessage());
    }
  }

  private static JobFilter param(Context ctx, JobFilter filter, String name, FilterField set) {
    String v = Http.param(ctx, name);
    if (v == null) {
      return filter;
    }
    try {
      return set.apply(filter, v);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(name, e.getMessage());
    }
  }

  private static JobState state(String text) {
    try {
      return JobState.fromWire(text.trim().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("state", e.getMessage());
    }
  }
}
