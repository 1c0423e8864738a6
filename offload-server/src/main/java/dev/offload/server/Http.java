package dev.offload.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job.JobId;
import dev.offload.internal.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;

/** Reading requests and writing JSON answers, the same way in every handler. */
final class Http {
  static final String JSON = "application/json";

  private Http() {}

  /** Answers {@code doc} as JSON, written by the one mapper the CLI's {@code --json} uses too. */
  static void json(Context ctx, int status, Object doc) {
    ctx.status(status).contentType(JSON).result(Json.write(doc));
  }

  static void problem(Context ctx, int status, String detail, String field) {
    ctx.status(status)
        .contentType(Problem.CONTENT_TYPE)
        .result(
            Json.write(Problem.of(status, detail, ctx.path(), field))
                .getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Answers a failure of the server itself: the cause goes to the log under a fresh id, and the
   * client gets only that id, never the cause's message (it may hold SQL, a URL or a user name).
   */
  static void failure(Context ctx, int status, String what, Throwable cause) {
    String errorId = ErrorIds.next();
    ErrorIds.log(errorId, ctx.method() + " " + ctx.path(), cause);
    ctx.status(status)
        .contentType(Problem.CONTENT_TYPE)
        .result(
            Json.write(
                    Problem.failure(
                        status,
                        what + "; the server's log has the cause under error id " + errorId,
                        ctx.path(),
                        errorId))
                .getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The request's path below where the API is mounted: {@code /api/jobs/7} both on the standalone
   * server and under a servlet mapping such as {@code /offload/*} in a Spring Boot app.
   */
  static String routePath(Context ctx) {
    String path = ctx.path();
    String base = ctx.contextPath();
    return path.startsWith(base) ? path.substring(base.length()) : path;
  }

  /** A {@code Location} for {@code routePath}, under the path the API is mounted at. */
  static String location(Context ctx, String routePath) {
    return ctx.contextPath() + routePath;
  }

  /** The job id in the path; 404 when it cannot be one (no job has such an id). */
  static JobId jobId(Context ctx) {
    String text = ctx.pathParam("id");
    try {
      return JobId.parse(text);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("no job " + text + " (a job id is a positive number)");
    }
  }

  /**
   * Reads the body as JSON, refusing more than {@code maxBytes}: 413 when the declared length or
   * the bytes actually sent exceed it (a chunked body has no declared length), 400 when the body is
   * empty or not JSON.
   */
  static JsonNode jsonBody(Context ctx, long maxBytes) {
    byte[] body = body(ctx, maxBytes);
    if (body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
      throw ApiException.malformed("the request body is empty; expected a JSON object");
    }
    JsonNode node = parse(body);
    if (node == null || node.isMissingNode()) {
      throw ApiException.malformed("the request body is empty; expected a JSON object");
    }
    return node;
  }

  /**
   * Parses one JSON document strictly ({@link Json#parse}): trailing data and duplicate keys are
   * 400; a document nested deeper than the parser reads is 422, as too-deep args are.
   */
  private static JsonNode parse(byte[] body) {
    try {
      return Json.parse(body);
    } catch (StreamConstraintsException e) {
      throw ApiException.invalid(
          "args",
          "the request nests deeper than "
              + Json.MAX_READ_DEPTH
              + " levels; args may nest at most "
              + JobRequest.MAX_ARGS_DEPTH
              + " levels deep");
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where =
          loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      throw ApiException.malformed("malformed JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.malformed("could not read the request body: " + e.getMessage());
    }
  }

  /** A body that may be absent (an empty body reads as null); otherwise as {@link #jsonBody}. */
  static JsonNode optionalJsonBody(Context ctx, long maxBytes) {
    long declared = ctx.req().getContentLengthLong();
    if (declared == 0) {
      return null;
    }
    byte[] body = body(ctx, maxBytes);
    if (new String(body, StandardCharsets.UTF_8).isBlank()) {
      return null;
    }
    return parse(body);
  }

  /** The body's bytes, refusing more than {@code maxBytes} (413) as {@link #jsonBody} does. */
  static byte[] body(Context ctx, long maxBytes) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) {
      throw tooLarge(ctx, declared + " bytes", maxBytes);
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      if (body.length > maxBytes) {
        throw tooLarge(ctx, "more than " + maxBytes + " bytes", maxBytes);
      }
      return body;
    } catch (IOException e) {
      throw ApiException.malformed("could not read the request body: " + e.getMessage());
    }
  }

  private static ApiException tooLarge(Context ctx, String size, long maxBytes) {
    // The rest of the body is not read: tell the client the connection ends with this answer.
    ctx.header("Connection", "close");
    return new ApiException(
        413, "the request body is " + size + ", over the limit of " + maxBytes + " bytes");
  }

  /**
   * A query parameter without surrounding white space, or null when absent or empty. Control
   * characters are kept (not trimmed as {@link String#trim} would), so the check of the value sees
   * them.
   */
  /**
   * A 422 naming the first field of {@code body} that is not one of {@code known}; {@code expected}
   * lists the known ones for the reader.
   */
  static void rejectUnknownFields(JsonNode body, Set<String> known, String expected) {
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw ApiException.invalid(
            name, "unknown field '" + name + "' (expected " + expected + ")");
      }
    }
  }

  static String param(Context ctx, String name) {
    String v = ctx.queryParam(name);
    return v == null || v.isBlank() ? null : v.strip();
  }
}
