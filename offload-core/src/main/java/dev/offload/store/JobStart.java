package dev.offload.store;

import java.time.Instant;
import java.util.Objects;

/**
 * The handler of a claimed job started: written only while {@code token} holds the job and its
 * start is not written yet. A job claimed ahead of a free slot has no start until then.
 *
 * @param id the job
 * @param token the claim token of the attempt
 * @param at when the handler started (the engine's clock); the job's started_at, and its first
 *     start when it had none
 */
public record JobStart(long id, long token, Instant at) {
  public JobStart {
    Objects.requireNonNull(at, "at");
  }
}
