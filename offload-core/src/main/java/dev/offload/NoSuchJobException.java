package dev.offload;

import java.util.NoSuchElementException;

/** An action named a job id the store does not hold (never enqueued, deleted or pruned). */
public final class NoSuchJobException extends NoSuchElementException {
  private final JobId id;

  public NoSuchJobException(JobId id) {
    super("no job " + id);
    this.id = id;
  }

  public JobId id() {
    return id;
  }
}
