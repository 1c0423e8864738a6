package dev.offload;

/**
 * Thrown by a handler when retrying cannot help (bad input, a record that no longer exists): the
 * job goes straight to {@code dead} whatever attempts it has left.
 */
public class PermanentFailure extends RuntimeException {
  public PermanentFailure(String message) {
    super(message);
  }

  public PermanentFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
