package dev.offload;

/** A workflow's id, as {@code GET /api/workflows/{id}} takes it. */
public record WorkflowId(long value) {
  public WorkflowId {
    if (value <= 0) {
      throw new IllegalArgumentException("a workflow id is a positive number, got " + value);
    }
  }

  /**
   * @throws IllegalArgumentException if {@code text} is not a positive number
   */
  public static WorkflowId parse(String text) {
    try {
      return new WorkflowId(Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "a workflow id is a positive number, got '" + text + "'", e);
    }
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
