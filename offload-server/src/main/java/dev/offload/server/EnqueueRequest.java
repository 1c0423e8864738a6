package dev.offload.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.offload.EnqueueOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The body of {@code POST /api/jobs}, checked field by field so that every 422 names the field at
 * fault: {@code {kind, args?, queue?, priority?, runAt? | delay?, maxAttempts?, wait?,
 * concurrencyKey?, uniqueKey?, uniqueFor?, onDuplicate?}}. Keys are 1-255 characters; {@code
 * onDuplicate} is {@code "replace"} (debounce) or {@code "return"} (the default).
 *
 * @param kind the job's kind
 * @param args the args as given; null when absent (stored as {@code {}})
 * @param options queue, priority, schedule, attempts and idempotency key
 * @param waitFor how long to wait for the job to finish before answering, or null
 */
record EnqueueRequest(String kind, JsonNode args, EnqueueOptions options, Duration waitFor) {
  /** The longest {@code wait} a request may ask for; longer work belongs in the background. */
  static final Duration MAX_WAIT = Duration.ofMinutes(5);

  private static final Set<String> FIELDS =
      Set.of(
          "kind",
          "args",
          "queue",
          "priority",
          "runAt",
          "delay",
          "maxAttempts",
          "wait",
          "uniqueKey",
          "concurrencyKey",
          "uniqueFor",
          "onDuplicate");

  /**
   * Reads a request body.
   *
   * @param idempotencyKey the {@code Idempotency-Key} header, or null
   * @throws ApiException 422 naming the first field at fault
   */
  static EnqueueRequest parse(JsonNode body, String idempotencyKey) {
    if (body == null || !body.isObject()) {
      throw ApiException.invalid(
          "the body must be a JSON object such as {\"kind\": \"emails.send\", \"args\": {...}}, got "
              + (body == null ? "nothing" : describe(body)));
    }
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw ApiException.invalid(
            name,
            "unknown field '"
                + name
                + "' (expected kind, args, queue, priority, runAt or delay, maxAttempts, wait, concurrencyKey, uniqueKey,"
                + " uniqueFor, onDuplicate)");
      }
    }
    JsonNode kindNode = present(body, "kind");
    if (kindNode == null) {
      throw ApiException.invalid(
          "kind", "kind is required: the name of a registered job kind, e.g. \"emails.send\"");
    }
    String kind = text("kind", kindNode);

    EnqueueOptions options = EnqueueOptions.none();
    JsonNode v;
    if ((v = present(body, "queue")) != null) {
      String queue = text("queue", v);
      options = apply("queue", options, o -> o.queue(queue));
    }
    if ((v = present(body, "priority")) != null) {
      int priority = integer("priority", v);
      options = apply("priority", options, o -> o.priority(priority));
    }
    JsonNode runAtNode = present(body, "runAt");
    JsonNode delayNode = present(body, "delay");
    if (runAtNode != null && delayNode != null) {
      throw ApiException.invalid("delay", "give runAt or delay, not both");
    }
    if (runAtNode != null) {
      Instant runAt = instant("runAt", runAtNode);
      options = apply("runAt", options, o -> o.runAt(runAt));
    }
    if (delayNode != null) {
      Duration delay = Durations.field("delay", delayNode);
      options = apply("delay", options, o -> o.delay(delay));
    }
    if ((v = present(body, "maxAttempts")) != null) {
      int maxAttempts = integer("maxAttempts", v);
      options = apply("maxAttempts", options, o -> o.maxAttempts(maxAttempts));
    }
    if ((v = present(body, "concurrencyKey")) != null) {
      String key = text("concurrencyKey", v);
      options = apply("concurrencyKey", options, o -> o.concurrencyKey(key));
    }
    if ((v = present(body, "uniqueKey")) != null) {
      String key = text("uniqueKey", v);
      options = apply("uniqueKey", options, o -> o.uniqueKey(key));
    }
    if ((v = present(body, "uniqueFor")) != null) {
      if (options.uniqueKey() == null) {
        throw ApiException.invalid("uniqueFor", "uniqueFor needs a uniqueKey");
      }
      Duration uniqueFor = Durations.field("uniqueFor", v);
      options = apply("uniqueFor", options, o -> o.uniqueFor(uniqueFor));
    }
    if ((v = present(body, "onDuplicate")) != null) {
      String onDuplicate = text("onDuplicate", v);
      if (!onDuplicate.equals("replace") && !onDuplicate.equals("return")) {
        throw ApiException.invalid(
            "onDuplicate", "onDuplicate must be \"replace\" or \"return\", got " + v);
      }
      if (options.uniqueKey() == null) {
        throw ApiException.invalid("onDuplicate", "onDuplicate needs a uniqueKey");
      }
      if (onDuplicate.equals("replace")) {
        options = options.onDuplicateReplace();
      }
    }
    if (idempotencyKey != null) {
      options = apply("Idempotency-Key", options, o -> o.idempotencyKey(idempotencyKey));
    }
    Duration wait = null;
    if ((v = present(body, "wait")) != null) {
      wait = Durations.field("wait", v);
      if (wait.compareTo(MAX_WAIT) > 0) {
        throw ApiException.invalid(
            "wait",
            "wait must be at most "
                + MAX_WAIT.toMinutes()
                + " minutes, got "
                + v
                + "; follow longer jobs with GET /api/jobs/{id}/events");
      }
    }
    return new EnqueueRequest(kind, body.get("args"), options, wait);
  }

  /** A field's value, or null when it is absent or JSON null. */
  private static JsonNode present(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v == null || v.isNull() ? null : v;
  }

  private static EnqueueOptions apply(
      String field, EnqueueOptions options, UnaryOperator<EnqueueOptions> change) {
    try {
      return change.apply(options);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(field, e.getMessage());
    }
  }

  private static String text(String field, JsonNode v) {
    if (!v.isTextual()) {
      throw ApiException.invalid(field, field + " must be a string, got " + describe(v));
    }
    return v.asText();
  }

  private static int integer(String field, JsonNode v) {
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw ApiException.invalid(field, field + " must be a whole number, got " + describe(v));
    }
    return v.asInt();
  }

  private static Instant instant(String field, JsonNode v) {
    String t = text(field, v);
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(t).toInstant();
      } catch (DateTimeParseException e2) {
        throw ApiException.invalid(
            field,
            field
                + " must be an ISO-8601 time with a zone, e.g. \"2030-01-31T09:00:00Z\", got "
                + v);
      }
    }
  }

  private static final Map<JsonNodeType, String> TYPES =
      Map.of(
          JsonNodeType.ARRAY, "an array",
          JsonNodeType.OBJECT, "an object",
          JsonNodeType.BOOLEAN, "a boolean",
          JsonNodeType.NUMBER, "a number",
          JsonNodeType.STRING, "a string");

  /** "a string \"x\"", "an array", ...: what a value is, briefly, for an error message. */
  static String describe(JsonNode v) {
    String type =
        TYPES.getOrDefault(
            v.getNodeType(), v.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    if (v.isValueNode()) {
      String text = v.toString();
      return type + " " + (text.length() > 60 ? text.substring(0, 57) + "..." : text);
    }
    return type;
  }
}
