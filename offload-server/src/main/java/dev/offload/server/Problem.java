package dev.offload.server;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An error document, RFC 9457 {@code application/problem+json}: every error the API answers has a
 * status, a title (the status's name) and a detail that says what exactly was wrong.
 *
 * @param type always {@code about:blank}: the status says what kind of problem it is
 * @param title the status's reason phrase
 * @param status the HTTP status
 * @param detail what was wrong, for people; names the field or value at fault
 * @param instance the request path
 * @param field the request field at fault, for 422 about one field; absent otherwise
 * @param errorId for a 5xx, the id under which the server logged the cause; absent otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Problem(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    String field,
    String errorId) {
  /** Always with its charset: without one, Jetty would declare ISO-8859-1. */
  static final String CONTENT_TYPE = "application/problem+json; charset=utf-8";

  static Problem of(int status, String detail, String instance, String field) {
    return new Problem("about:blank", title(status), status, detail, instance, field, null);
  }

  static Problem failure(int status, String detail, String instance, String errorId) {
    return new Problem("about:blank", title(status), status, detail, instance, null, errorId);
  }

  static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 415 -> "Unsupported Media Type";
      case 422 -> "Unprocessable Content";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "HTTP " + status;
    };
  }
}
