package dev.offload.push;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.internal.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The body of one push: the job and this attempt, as Offload's dispatcher sends it.
 *
 * @param id the job's numeric id
 * @param kind the job's kind, which picks the handler
 * @param queue the job's queue; empty when the body names none
 * @param args the job's args, read as the handler's args type
 * @param attempt this attempt's number, from 1
 * @param maxAttempts attempts allowed in all
 * @param checkpointJson the checkpoint to resume from, or null
 * @param deadline when Offload stops waiting for this call's answer
 * @param jobToken the bearer token of the progress calls, valid for this attempt only
 * @param progressUrl where progress calls go, or null when Offload gave none
 * @param retryItems the item keys of a follow-up job of failed items; empty otherwise
 */
record PushRequest(
    long id,
    String kind,
    String queue,
    JsonNode args,
    int attempt,
    int maxAttempts,
    @Nullable String checkpointJson,
    Instant deadline,
    @Nullable String jobToken,
    @Nullable String progressUrl,
    List<String> retryItems) {

  /**
   * Reads a push body.
   *
   * @throws BadPush naming the field that is missing or of the wrong type
   */
  static PushRequest parse(byte[] body) {
    JsonNode json;
    try {
      json = Json.parse(body);
    } catch (Exception e) {
      throw new BadPush("body", "the body is not JSON");
    }
    if (json == null || !json.isObject()) {
      throw new BadPush("body", "the body must be a JSON object");
    }
    JsonNode id = json.get("id");
    if (id == null || !id.canConvertToExactIntegral() || !id.canConvertToLong()) {
      throw new BadPush("id", "id must be the job's numeric id");
    }
    String kind = required(json, "kind");
    JsonNode args = json.get("args");
    if (args == null) {
      throw new BadPush("args", "args is missing");
    }
    String deadlineText = required(json, "deadline");
    Instant deadline;
    try {
      deadline = Instant.parse(deadlineText);
    } catch (DateTimeParseException e) {
      throw new BadPush(
          "deadline", "deadline must be an ISO-8601 instant, got '" + deadlineText + "'");
    }
    JsonNode checkpoint = json.get("checkpoint");
    String queue = text(json, "queue", /* required= */ false);
    return new PushRequest(
        id.asLong(),
        kind,
        queue == null ? "" : queue,
        args,
        integer(json, "attempt"),
        integer(json, "maxAttempts"),
        checkpoint == null || checkpoint.isNull() ? null : Json.write(checkpoint),
        deadline,
        text(json, "jobToken", /* required= */ false),
        text(json, "progressUrl", /* required= */ false),
        retryItems(json));
  }

  private static String required(JsonNode json, String field) {
    String text = text(json, field, /* required= */ true);
    if (text == null) {
      throw new BadPush(field, field + " is missing");
    }
    return text;
  }

  private static @Nullable String text(JsonNode json, String field, boolean required) {
    JsonNode node = json.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        throw new BadPush(field, field + " is missing");
      }
      return null;
    }
    if (!node.isTextual() || node.asText().isEmpty()) {
      throw new BadPush(field, field + " must be a non-empty string");
    }
    return node.asText();
  }

  private static List<String> retryItems(JsonNode json) {
    JsonNode node = json.get("retryItems");
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new BadPush("retryItems", "retryItems must be an array of item keys");
    }
    List<String> keys = new ArrayList<>();
    node.forEach(key -> keys.add(key.asText()));
    return List.copyOf(keys);
  }

  private static int integer(JsonNode json, String field) {
    JsonNode node = json.get(field);
    if (node == null || node.isNull()) {
      return 1;
    }
    if (!node.canConvertToExactIntegral() || !node.canConvertToInt() || node.asInt() < 1) {
      throw new BadPush(field, field + " must be a positive integer");
    }
    return node.asInt();
  }

  /** A push body that cannot be run: answered 422 naming the field. */
  static final class BadPush extends RuntimeException {
    final String field;

    BadPush(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }
  }
}
