package dev.offload.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Reading the fields of a JSON request body into an options value, one field at a time, so that
 * every 422 names the field at fault: {@code POST /api/jobs} and {@code PUT /api/queues/{name}}
 * read their bodies with it.
 */
final class BodyFields {
  private BodyFields() {}

  /** A field's value, or null when it is absent or JSON null. */
  static JsonNode present(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v == null || v.isNull() ? null : v;
  }

  /**
   * {@code options} with {@code field} of {@code body} read by {@code read} and given by {@code
   * set}, or unchanged when the field is absent or null. A value {@code set} refuses is a 422
   * naming the field.
   */
  static <O, T> O set(
      JsonNode body,
      String field,
      O options,
      BiFunction<String, JsonNode, T> read,
      BiFunction<O, T, O> set) {
    JsonNode v = present(body, field);
    if (v == null) {
      return options;
    }
    T value = read.apply(field, v);
    try {
      return set.apply(options, value);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(field, e.getMessage());
    }
  }

  static String text(String field, JsonNode v) {
    if (!v.isTextual()) {
      throw ApiException.invalid(field, field + " must be a string, got " + describe(v));
    }
    return v.asText();
  }

  static int integer(String field, JsonNode v) {
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw ApiException.invalid(field, field + " must be a whole number, got " + describe(v));
    }
    return v.asInt();
  }

  static boolean bool(String field, JsonNode v) {
    if (!v.isBoolean()) {
      throw ApiException.invalid(field, field + " must be true or false, got " + describe(v));
    }
    return v.asBoolean();
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
        TYPES.getOrDefault(v.getNodeType(), v.getNodeType().name().toLowerCase(Locale.ROOT));
    if (v.isValueNode()) {
      String text = v.toString();
      return type + " " + (text.length() > 60 ? text.substring(0, 57) + "..." : text);
    }
    return type;
  }
}
