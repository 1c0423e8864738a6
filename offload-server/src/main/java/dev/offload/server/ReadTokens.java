package dev.offload.server;

import dev.offload.Job.JobId;
import dev.offload.Offload;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Read tokens ({@link Offload#progressToken}): a request for {@code GET /api/jobs/{id}} or {@code
 * GET /api/jobs/{id}/events} with {@code ?token=} is let in by that token alone, for that one job,
 * and answered with {@link JobProgressView} instead of the whole job. A bad, expired or other job's
 * token is 403, whatever else the request carries. A {@code token} on any other route opens
 * nothing: that request needs the admin token as before.
 *
 * <p>Answers to token requests carry {@code Access-Control-Allow-Origin: *}: the token is the whole
 * credential (no cookie is involved), so a page on another origin may read the one job it was
 * given, including the 403 that says its link expired.
 */
final class ReadTokens {
  private static final String GRANTED = "offload.readToken";
  private static final Pattern READABLE = Pattern.compile("/api/jobs/([^/]+)(/events)?/?");

  private final Offload offload;

  ReadTokens(Offload offload) {
    this.offload = offload;
  }

  /**
   * Whether the request carries a read token for the job it reads, and that token is good; false
   * when it carries none or is not a read of one job.
   *
   * @throws ApiException 403 when it carries a token that is not good for the job
   */
  boolean admit(Context ctx) {
    String token = ctx.queryParam("token");
    if (token == null || ctx.method() != HandlerType.GET) {
      return false;
    }
    Matcher m = READABLE.matcher(Http.routePath(ctx));
    if (!m.matches()) {
      return false;
    }
    ctx.header("Access-Control-Allow-Origin", "*");
    ctx.header("Cache-Control", "no-store");
    JobId id;
    try {
      id = JobId.parse(m.group(1));
    } catch (IllegalArgumentException e) {
      id = null;
    }
    if (id == null || !offload.progressTokenValid(id, token)) {
      throw new ApiException(
          403,
          "the progress token is not valid for this job: it is malformed, expired, or"
              + " for another job; ask the application for a fresh progress link");
    }
    ctx.attribute(GRANTED, Boolean.TRUE);
    return true;
  }

  /** Whether {@link #admit} let this request in by its read token. */
  static boolean granted(Context ctx) {
    return Boolean.TRUE.equals(ctx.attribute(GRANTED));
  }
}
