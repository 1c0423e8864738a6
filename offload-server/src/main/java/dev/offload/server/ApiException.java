package dev.offload.server;

/**
 * A request the API refuses, answered as {@code application/problem+json} with this status and
 * detail (see {@link Problem}). Thrown by handlers; mapped in {@link Routes}.
 */
final class ApiException extends RuntimeException {
  private final int status;
  private final String field;

  ApiException(int status, String detail) {
    this(status, detail, null);
  }

  private ApiException(int status, String detail, String field) {
    super(detail, null, false, false);
    this.status = status;
    this.field = field;
  }

  int status() {
    return status;
  }

  /** The request field the detail is about, or null. */
  String field() {
    return field;
  }

  static ApiException malformed(String detail) {
    return new ApiException(400, detail);
  }

  /** 422 about one named field of the request; the detail should name it too. */
  static ApiException invalid(String field, String detail) {
    return new ApiException(422, detail, field);
  }

  static ApiException invalid(String detail) {
    return new ApiException(422, detail);
  }

  static ApiException conflict(String detail) {
    return new ApiException(409, detail);
  }

  static ApiException notFound(String detail) {
    return new ApiException(404, detail);
  }
}
