package dev.offload.engine;

import dev.offload.JobHandler;
import dev.offload.JobOptions;
import java.util.Objects;

/** A kind's handler, the type its args are read as, and its options. */
public record Registration<A>(String kind, Class<A> argsType, JobHandler<A> handler, JobOptions options) {
  public Registration {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(argsType, "argsType");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(options, "options");
  }
}
