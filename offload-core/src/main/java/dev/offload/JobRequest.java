package dev.offload;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One job to enqueue with {@link Offload#enqueueAll}: a kind, its args (any value Jackson can
 * write, or a {@code JsonNode}) and options.
 */
public record JobRequest(String kind, @Nullable Object args, EnqueueOptions options) {
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
