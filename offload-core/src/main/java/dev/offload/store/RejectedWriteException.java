package dev.offload.store;

import dev.offload.OffloadException;

/**
 * The database refused the data of a write (a value it cannot hold, a limit exceeded), as opposed
 * to an outage: the same write fails again however often it is retried. The message says what was
 * refused, without SQL or connection details. The engine splits a refused batch to write the rest
 * and ends the job whose data was refused with an error of its own.
 */
public class RejectedWriteException extends OffloadException {
  public RejectedWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
