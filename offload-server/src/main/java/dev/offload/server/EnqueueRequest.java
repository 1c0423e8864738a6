package dev.offload.server;

import static dev.offload.server.BodyFields.present;
import static dev.offload.server.BodyFields.set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.EnqueueOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;

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
              + (body == null ? "nothing" : BodyFields.describe(body)));
    }
    Http.rejectUnknownFields(
        body,
        FIELDS,
        "kind, args, queue, priority, runAt or delay, maxAttempts, wait, concurrencyKey, uniqueKey,"
            + " uniqueFor, onDuplicate");
    JsonNode kindNode = present(body, "kind");
    if (kindNode == null) {
      throw ApiException.invalid(
          "kind", "kind is required: the name of a registered job kind, e.g. \"emails.send\"");
    }
    String kind = BodyFields.text("kind", kindNode);

    EnqueueOptions options = EnqueueOptions.none();
    options = set(body, "queue", options, BodyFields::text, EnqueueOptions::queue);
    options = set(body, "priority", options, BodyFields::integer, EnqueueOptions::priority);
    if (present(body, "runAt") != null && present(body, "delay") != null) {
      throw ApiException.invalid("delay", "give runAt or delay, not both");
    }
    options = set(body, "runAt", options, EnqueueRequest::instant, EnqueueOptions::runAt);
    options = set(body, "delay", options, Durations::field, EnqueueOptions::delay);
    options = set(body, "maxAttempts", options, BodyFields::integer, EnqueueOptions::maxAttempts);
    options =
        set(body, "concurrencyKey", options, BodyFields::text, EnqueueOptions::concurrencyKey);
    options = set(body, "uniqueKey", options, BodyFields::text, EnqueueOptions::uniqueKey);
    if (present(body, "uniqueFor") != null && options.uniqueKey() == null) {
      throw ApiException.invalid("uniqueFor", "uniqueFor needs a uniqueKey");
    }
    options = set(body, "uniqueFor", options, Durations::field, EnqueueOptions::uniqueFor);
    JsonNode v;
    if ((v = present(body, "onDuplicate")) != null) {
      String onDuplicate = BodyFields.text("onDuplicate", v);
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
      try {
        options = options.idempotencyKey(idempotencyKey);
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid("Idempotency-Key", e.getMessage());
      }
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

  private static Instant instant(String field, JsonNode v) {
    String t = BodyFields.text(field, v);
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
}
