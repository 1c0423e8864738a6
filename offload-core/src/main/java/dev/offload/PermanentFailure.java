package dev.offload;

/**
 * Thrown by a handler when retrying cannot help (bad input, a record that no longer exists): the
 * job goes straight to {@code dead} whatever attempts it has left.
 */
public class PermanentFailure extends RuntimeException {
  /**
   * A permanent failure.
   *
   * @param message why retrying cannot help, stored as the job's error
   */
  public PermanentFailure(String message) {
    super(message);
  }

  /**
   * A permanent failure with its cause.
   *
   * @param message why retrying cannot help, stored as the job's error
   * @param cause what went wrong
   */
  public PermanentFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
