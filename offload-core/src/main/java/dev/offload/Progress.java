package dev.offload;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A job's reported progress, as stored and served ({@code GET /api/jobs/{id}}, {@code offload
 * status}).
 *
 * @param percent 0 to 100: the weighted sum over stages, or done/total without stages
 * @param done items done in the current stage (or in the job, without stages)
 * @param total items in the current stage, or null when the handler has not said
 * @param stage the current stage's name, or null without stages
 * @param stages every declared stage with its weight and percent, in order
 * @param message the handler's latest message for humans, or null
 * @param eta estimated seconds left as of {@code updatedAt}, or null when there is nothing to go on
 * @param failedItems how many items failed so far (see {@link JobContext#itemFailed})
 * @param updatedAt when this was measured
 */
public record Progress(
    double percent,
    long done,
    @Nullable Long total,
    @Nullable String stage,
    List<StageProgress> stages,
    @Nullable String message,
    @Nullable Double eta,
    long failedItems,
    Instant updatedAt) {

  public Progress {
    stages = stages == null ? List.of() : List.copyOf(stages);
  }

  /**
   * One stage's part of the progress.
   *
   * @param name the stage
   * @param weight its share of the whole
   * @param percent 0 to 100 within the stage
   * @param durationMs how long it took, once finished; null before
   */
  public record StageProgress(
      String name, double weight, double percent, @Nullable Long durationMs) {}
}
