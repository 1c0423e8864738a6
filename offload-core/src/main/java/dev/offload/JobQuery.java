package dev.offload;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One page of {@link Offload#jobs}: the jobs matching {@code filter}, newest first.
 *
 * @param filter which jobs
 * @param limit page size, 1 to 1000
 * @param cursor the {@link JobPage#nextCursor()} of the previous page, or null for the first
 * @param fields which of the large fields the jobs of the page carry (args, result); a field left
 *     out is a {@link com.fasterxml.jackson.databind.node.MissingNode} in the {@link Job} and
 *     absent from its JSON document, so a page costs the same whatever the jobs hold. All by
 *     default in Java; the HTTP API and the CLI leave both out unless asked ({@code
 *     ?fields=args,result}).
 */
public record JobQuery(JobFilter filter, int limit, @Nullable String cursor, Set<Field> fields) {
  public static final int MAX_LIMIT = 1000;

  /**
   * The fields of a job that a listing may leave out: they hold whatever the handler was given or
   * returned.
   */
  public enum Field {
    ARGS,
    RESULT;

    /** The name in {@code ?fields=} and {@code --fields}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a comma-separated list such as {@code "args,result"}; empty text gives none.
     *
     * @throws IllegalArgumentException naming an unknown field
     */
    public static Set<Field> parseList(String text) {
      Set<Field> fields = EnumSet.noneOf(Field.class);
      for (String part : text.split(",")) {
        String name = part.strip();
        if (name.isEmpty()) {
          continue;
        }
        try {
          fields.add(valueOf(name.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "fields must be a list of args and result, got '" + name + "'");
        }
      }
      return fields;
    }
  }

  /** A query whose jobs carry every field. */
  public JobQuery(JobFilter filter, int limit, @Nullable String cursor) {
    this(filter, limit, cursor, EnumSet.allOf(Field.class));
  }

  public JobQuery {
    fields = fields == null || fields.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(fields));
    if (filter == null) {
      filter = JobFilter.any();
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
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
    return new JobQuery(filter.state(state), limit, cursor, fields);
  }

  public JobQuery queue(@Nullable String queue) {
    return new JobQuery(filter.queue(queue), limit, cursor, fields);
  }

  public JobQuery kind(@Nullable String kind) {
    return new JobQuery(filter.kind(kind), limit, cursor, fields);
  }

  public JobQuery limit(int limit) {
    return new JobQuery(filter, limit, cursor, fields);
  }

  public JobQuery cursor(@Nullable String cursor) {
    return new JobQuery(filter, limit, cursor, fields);
  }

  /** The same query, its jobs carrying only these of the large fields (none: {@code Set.of()}). */
  public JobQuery fields(Set<Field> fields) {
    return new JobQuery(filter, limit, cursor, fields);
  }

  /** Whether the jobs of the page carry {@code field}. */
  public boolean includes(Field field) {
    return fields.contains(field);
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
