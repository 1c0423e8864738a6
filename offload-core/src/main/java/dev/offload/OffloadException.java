package dev.offload;

import dev.offload.Job.JobId;
import java.util.NoSuchElementException;

/** A store operation failed (the database is unreachable, a statement failed). */
public class OffloadException extends RuntimeException {
  /**
   * A failure with its cause.
   *
   * @param message what failed, without SQL, URLs or passwords
   * @param cause the driver's or the network's exception
   */
  public OffloadException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A failure.
   *
   * @param message what failed, without SQL, URLs or passwords
   */
  public OffloadException(String message) {
    super(message);
  }

  /** An action named a job id the store does not hold (never enqueued, deleted or pruned). */
  public static final class NoSuchJobException extends NoSuchElementException {
    /** The id that named no job. */
    private final JobId id;

    /**
     * No job {@code id}.
     *
     * @param id the id that named no job
     */
    public NoSuchJobException(JobId id) {
      super("no job " + id);
      this.id = id;
    }

    /** {@return the id that named no job} */
    public JobId id() {
      return id;
    }
  }

  /**
   * Enqueueing a kind that no handler on this node and no worker that ever connected to the store
   * knows. Enqueue with {@link EnqueueOptions#allowUnknownKind()} to queue it for a worker yet to
   * come.
   */
  public static final class UnknownKindException extends IllegalArgumentException {
    /** The unknown kind. */
    private final String kind;

    /**
     * No one knows {@code kind}.
     *
     * @param kind the kind that was enqueued
     */
    public UnknownKindException(String kind) {
      super(
          "unknown job kind '"
              + kind
              + "': no handler is registered for it on this node and no worker has announced it;"
              + " register a handler, or enqueue with EnqueueOptions.allowUnknownKind() to queue it for a worker yet to come");
      this.kind = kind;
    }

    /** {@return the kind that no one knows} */
    public String kind() {
      return kind;
    }
  }

  /**
   * An idempotency key was reused for a different job: a stored job (or an earlier request of the
   * same batch) holds the key with another kind or other args. A key names one request; a retry of
   * that request (same kind, equal args) gets the job it created, anything else is refused, as the
   * IETF Idempotency-Key draft does (HTTP {@code 422}). Nothing of the batch is written.
   *
   * <p>A key holds for as long as its job is stored: until retention prunes the finished job (7
   * days for succeeded and cancelled jobs, 30 for dead ones, by default) or it is deleted.
   */
  public static final class IdempotencyKeyConflictException extends IllegalArgumentException {
    /** The reused key. */
    private final String key;

    /**
     * {@code key} was used for another job.
     *
     * @param key the reused key
     * @param detail how the jobs differ (kind or args), for the message
     */
    public IdempotencyKeyConflictException(String key, String detail) {
      super(
          "idempotency key '"
              + key
              + "' was already used for a different job ("
              + detail
              + "); a key names one request: send the same kind and args to get that job, or use a new key");
      this.key = key;
    }

    /** {@return the key that was reused} */
    public String key() {
      return key;
    }
  }

  /**
   * An enqueue refused because of one field of the job: args that are too large, too deep, hold a
   * NUL character or do not match the kind's args type, or a time outside the supported range. The
   * message names the field; {@code docs/limits.md} lists every limit.
   */
  public static final class InvalidJobException extends IllegalArgumentException {
    /** The field at fault. */
    private final String field;

    /** Whether it is over a size limit. */
    private final boolean tooLarge;

    private InvalidJobException(String field, String message, boolean tooLarge) {
      super(message);
      this.field = field;
      this.tooLarge = tooLarge;
    }

    /**
     * An invalid field.
     *
     * @param field the field at fault, as a path from the request
     * @param message why it is invalid, naming it
     * @return the exception
     */
    public static InvalidJobException invalid(String field, String message) {
      return new InvalidJobException(field, message, false);
    }

    /**
     * A field over a size limit.
     *
     * @param field the field at fault, as a path from the request
     * @param message which limit it is over, naming it
     * @return the exception
     */
    public static InvalidJobException tooLarge(String field, String message) {
      return new InvalidJobException(field, message, true);
    }

    /**
     * The field at fault, as a path from the request: {@code args}, {@code args.items[2].sku},
     * {@code runAt}, {@code delay}.
     *
     * @return the field's path
     */
    public String field() {
      return field;
    }

    /** {@return whether the field is over a size limit (HTTP 413) rather than invalid (422)} */
    public boolean tooLarge() {
      return tooLarge;
    }
  }
}
