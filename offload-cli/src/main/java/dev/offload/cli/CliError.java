package dev.offload.cli;

/**
 * A failure the CLI explains in one line: bad usage (exit 2) or a failure to do what was asked
 * (exit 1). Thrown by commands; {@link Errors} prints it.
 */
final class CliError extends RuntimeException {
  static final int FAILURE = 1;
  static final int USAGE = 2;

  /** {@code enqueue --wait}: the job had not ended when the wait was over. */
  static final int STILL_RUNNING = 3;

  private final int exitCode;

  private CliError(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The user asked for something that cannot be done as asked: exit 2. */
  static CliError usage(String message) {
    return new CliError(message, USAGE, null);
  }

  static CliError usage(String message, Throwable cause) {
    return new CliError(message, USAGE, cause);
  }

  /** The request was fine but failed: exit 1. */
  static CliError failure(String message, Throwable cause) {
    return new CliError(message, FAILURE, cause);
  }

  int exitCode() {
    return exitCode;
  }
}
