package dev.offload.server;

import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code POST /api/jobs/{id}/progress}: a push endpoint reports the progress of the job it runs,
 * with the delivery's job token as {@code Authorization: Bearer} (see {@code docs/push.md}).
 *
 * <p>The job token is the whole credential of this route: the admin token is neither needed nor
 * accepted, and neither is a read token (both are not job tokens, so they answer 403). The loopback
 * and origin checks of {@link Security} still run first: a push endpoint calls from a server and
 * sends no {@code Origin}, and the token travels in a header that a browser never attaches by
 * itself, so no page can forge the call; the answer carries no CORS header either.
 *
 * <p>Answers: 204 when written; 401 without a bearer token; 403 for a token that is not the running
 * attempt's (another job's, an older attempt's, a made-up one); 409 when the token names this job
 * and the job no longer runs (cancelled, finished, or waiting for a retry), 410 when the job is
 * gone: the receiver in {@code offload-push} then stops the invocation. A bad body with a good
 * token is 422 naming the field (the core's {@code InvalidJobException}).
 */
final class PushProgressApi {
  private static final Pattern ROUTE = Pattern.compile("/api/jobs/[^/]+/progress/?");

  private final Offload offload;
  private final long maxBodyBytes;

  PushProgressApi(Offload offload, long maxBodyBytes) {
    this.offload = offload;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Whether the request is for this route, which the admin token's filter lets through. */
  static boolean isProgressReport(Context ctx) {
    return ctx.method() == HandlerType.POST && ROUTE.matcher(Http.routePath(ctx)).matches();
  }

  void handle(Context ctx) {
    ctx.header("Cache-Control", "no-store");
    JobId id = Http.jobId(ctx);
    String token = bearer(ctx);
    String body = new String(Http.body(ctx, maxBodyBytes), StandardCharsets.UTF_8);
    if (body.isBlank()) {
      body = "{}";
    }
    if (offload.reportPushProgress(id.value(), token, body)) {
      ctx.status(204);
      return;
    }
    // The token cannot be checked once its attempt is over (it is bound to the claim token, which
    // is gone): a token shaped for this job on a job that no longer runs means the attempt ended.
    // That tells a caller without the token only what the path's job state already implies for a
    // watcher, never anything about another job.
    if (namesJob(token, id.value())) {
      Optional<Job> job = offload.job(id);
      if (job.isEmpty()) {
        throw new ApiException(410, "job " + id.value() + " is gone: report no more progress");
      }
      if (job.get().state() != JobState.RUNNING) {
        throw ApiException.conflict(
            "job "
                + id.value()
                + " is "
                + job.get().state().wireName()
                + ", not running: this attempt is over; report no more progress");
      }
    }
    throw new ApiException(
        403,
        "the job token is not valid for the running attempt of job "
            + id.value()
            + ": it is another job's, an older attempt's, or not a job token");
  }

  private static String bearer(Context ctx) {
    String auth = ctx.header("Authorization");
    String given =
        auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
            ? auth.substring(7).trim()
            : "";
    if (given.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"offload-job\"");
      throw new ApiException(
          401,
          "a progress report needs the delivery's job token: send 'Authorization: Bearer"
              + " <jobToken>' (the jobToken field of the push body)");
    }
    return given;
  }

  private static boolean namesJob(String token, long id) {
    int dot = token.indexOf('.');
    return dot > 0 && token.substring(0, dot).equals(Long.toString(id));
  }
}
