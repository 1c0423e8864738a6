package dev.offload;

/** A store operation failed (the database is unreachable, a statement failed). */
public class OffloadException extends RuntimeException {
  public OffloadException(String message, Throwable cause) {
    super(message, cause);
  }

  public OffloadException(String message) {
    super(message);
  }
}
