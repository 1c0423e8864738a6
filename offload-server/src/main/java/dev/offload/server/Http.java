package dev.offload.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.JobId;
import dev.offload.internal.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reading requests and writing JSON answers, the same way in every handler. */
final class Http {
  static final String JSON = "application/json";

  private Http() {}

  /** Answers {@code doc} as JSON, written by the one mapper the CLI's {@code --json} uses too. */
  static void json(Context ctx, int status, Object doc) {
    ctx.status(status).contentType(JSON).result(Json.write(doc));
  }

  static void problem(Context ctx, int status, String detail, String field) {
    ctx.status(status).contentType(Problem.CONTENT_TYPE)
        .result(Json.write(Problem.of(status, detail, ctx.path(), field)));
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
   * the bytes actually sent exceed it (a chunked body has no declared length), 400 when the body
   * is empty or not JSON.
   */
  static JsonNode jsonBody(Context ctx, long maxBytes) {
    byte[] body = body(ctx, maxBytes);
    if (body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
      throw ApiException.malformed("the request body is empty; expected a JSON object");
    }
    try {
      JsonNode node = Json.parse(body);
      if (node == null || node.isMissingNode()) {
        throw ApiException.malformed("the request body is empty; expected a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
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
    try {
      return Json.parse(body);
    } catch (IOException e) {
      throw ApiException.malformed("malformed JSON: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
  }

  private static byte[] body(Context ctx, long maxBytes) {
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
    return new ApiException(413, "the request body is " + size + ", over the limit of " + maxBytes + " bytes");
  }

  /** A query parameter, or null when absent or empty. */
  static String param(Context ctx, String name) {
    String v = ctx.queryParam(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
