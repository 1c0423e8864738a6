package dev.offload;

/**
 * A filter for {@link Offload#jobs}: every non-null field must match. Newest jobs first.
 *
 * @param state or null for any
 * @param queue or null for any
 * @param kind or null for any
 * @param limit page size, 1 to 1000
 * @param cursor the {@link JobPage#nextCursor()} of the previous page, or null for the first
 */
public record JobQuery(JobState state, String queue, String kind, int limit, String cursor) {
  public static final int MAX_LIMIT = 1000;

  public JobQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
    }
    if (cursor != null) {
      JobPage.decodeCursor(cursor);
    }
  }

  public static JobQuery all() {
    return new JobQuery(null, null, null, 50, null);
  }

  public JobQuery state(JobState state) {
    return new JobQuery(state, queue, kind, limit, cursor);
  }

  public JobQuery queue(String queue) {
    return new JobQuery(state, queue, kind, limit, cursor);
  }

  public JobQuery kind(String kind) {
    return new JobQuery(state, queue, kind, limit, cursor);
  }

  public JobQuery limit(int limit) {
    return new JobQuery(state, queue, kind, limit, cursor);
  }

  public JobQuery cursor(String cursor) {
    return new JobQuery(state, queue, kind, limit, cursor);
  }

  /** The id below which the page starts, or {@link Long#MAX_VALUE} for the first page. */
  public long beforeId() {
    return cursor == null ? Long.MAX_VALUE : JobPage.decodeCursor(cursor);
  }
}
