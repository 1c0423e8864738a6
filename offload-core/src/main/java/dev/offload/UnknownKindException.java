package dev.offload;

/**
 * Enqueueing a kind that no handler on this node and no worker that ever connected to the store
 * knows. Enqueue with {@link EnqueueOptions#allowUnknownKind()} to queue it for a worker yet to
 * come.
 */
public final class UnknownKindException extends IllegalArgumentException {
  private final String kind;

  public UnknownKindException(String kind) {
    super(
        "unknown job kind '"
            + kind
            + "': no handler is registered for it on this node and no worker has announced it;"
            + " register a handler, or enqueue with EnqueueOptions.allowUnknownKind() to queue it for a worker yet to come");
    this.kind = kind;
  }

  public String kind() {
    return kind;
  }
}
