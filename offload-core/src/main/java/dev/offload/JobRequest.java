package dev.offload;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One job to enqueue with {@link Offload#enqueueAll}: a kind, its args (any value Jackson can
 * write, or a {@code JsonNode}) and options.
 */
public record JobRequest(String kind, @Nullable Object args, EnqueueOptions options) {
  /**
   * How deep args may nest: {@code {"a": [1]}} is 2 deep. Deeper args are refused at enqueue
   * ({@link InvalidJobException}), so no job document becomes too deep to write.
   */
  public static final int MAX_ARGS_DEPTH = 64;

  public JobRequest {
    Validate.kind(kind);
    Objects.requireNonNull(options, "options");
    options.validateCombination();
  }

  public static JobRequest of(String kind, @Nullable Object args) {
    return new JobRequest(kind, args, EnqueueOptions.none());
  }

  public static JobRequest of(String kind, @Nullable Object args, EnqueueOptions options) {
    return new JobRequest(kind, args, options);
  }
}
