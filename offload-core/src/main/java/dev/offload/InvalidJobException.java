package dev.offload;

/**
 * An enqueue refused because of one field of the job: args that are too large, too deep, hold a NUL
 * character or do not match the kind's args type, or a time outside the supported range. The
 * message names the field; {@code docs/limits.md} lists every limit.
 */
public final class InvalidJobException extends IllegalArgumentException {
  private final String field;
  private final boolean tooLarge;

  private InvalidJobException(String field, String message, boolean tooLarge) {
    super(message);
    this.field = field;
    this.tooLarge = tooLarge;
  }

  /** {@code field} is invalid; {@code message} says why and names it. */
  public static InvalidJobException invalid(String field, String message) {
    return new InvalidJobException(field, message, false);
  }

  /** {@code field} is over a size limit; {@code message} says which. */
  public static InvalidJobException tooLarge(String field, String message) {
    return new InvalidJobException(field, message, true);
  }

  /**
   * The field at fault, as a path from the request: {@code args}, {@code args.items[2].sku}, {@code
   * runAt}, {@code delay}.
   */
  public String field() {
    return field;
  }

  /** Whether the field is over a size limit (HTTP 413) rather than invalid (422). */
  public boolean tooLarge() {
    return tooLarge;
  }
}
