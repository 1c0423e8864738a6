package dev.offload;

/**
 * An idempotency key was reused for a different job: a stored job (or an earlier request of the
 * same batch) holds the key with another kind or other args. A key names one request; a retry of
 * that request (same kind, equal args) gets the job it created, anything else is refused, as the
 * IETF Idempotency-Key draft does (HTTP {@code 422}). Nothing of the batch is written.
 *
 * <p>A key holds for as long as its job is stored: until retention prunes the finished job (7 days
 * for succeeded and cancelled jobs, 30 for dead ones, by default) or it is deleted.
 */
public final class IdempotencyKeyConflictException extends IllegalArgumentException {
  private final String key;

  public IdempotencyKeyConflictException(String key, String detail) {
    super(
        "idempotency key '"
            + key
            + "' was already used for a different job ("
            + detail
            + "); a key names one request: send the same kind and args to get that job, or use a new key");
    this.key = key;
  }

  /** The key that was reused. */
  public String key() {
    return key;
  }
}
