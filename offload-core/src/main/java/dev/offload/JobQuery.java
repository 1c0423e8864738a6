package dev.offload;

import org.jspecify.annotations.Nullable;

/**
 * One page of {@link Offload#jobs}: the jobs matching {@code filter}, newest first.
 *
 * @param filter which jobs
 * @param limit page size, 1 to 1000
 * @param cursor the {@link JobPage#nextCursor()} of the previous page, or null for the first
 */
public record JobQuery(JobFilter filter, int limit, @Nullable String cursor) {
  public static final int MAX_LIMIT = 1000;

  public JobQuery {
    if (filter == null) {
      filter = JobFilter.any();
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
    }
    if (cursor != null) {
      JobPage.decodeCursor(cursor);
    }
  }

  public static JobQuery all() {
    return new JobQuery(JobFilter.any(), 50, null);
  }

  public static JobQuery of(JobFilter filter) {
    return new JobQuery(filter, 50, null);
  }

  public JobQuery state(@Nullable JobState state) {
    return new JobQuery(filter.state(state), limit, cursor);
  }

  public JobQuery queue(@Nullable String queue) {
    return new JobQuery(filter.queue(queue), limit, cursor);
  }

  public JobQuery kind(@Nullable String kind) {
    return new JobQuery(filter.kind(kind), limit, cursor);
  }

  public JobQuery limit(int limit) {
    return new JobQuery(filter, limit, cursor);
  }

  public JobQuery cursor(@Nullable String cursor) {
    return new JobQuery(filter, limit, cursor);
  }

  public @Nullable JobState state() {
    return filter.state();
  }

  public @Nullable String queue() {
    return filter.queue();
  }

  public @Nullable String kind() {
    return filter.kind();
  }

  /** The id below which the page starts, or {@link Long#MAX_VALUE} for the first page. */
  public long beforeId() {
    return cursor == null ? Long.MAX_VALUE : JobPage.decodeCursor(cursor);
  }
}
