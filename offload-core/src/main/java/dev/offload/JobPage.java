package dev.offload;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of {@link Offload#jobs}; {@code nextCursor} is null on the last page. The cursor is
 * opaque: pass it back as it is.
 */
public record JobPage(List<Job> jobs, @Nullable String nextCursor) {
  public JobPage {
    jobs = List.copyOf(jobs);
  }

  /** A page whose cursor continues after its last job when the page is full. */
  public static JobPage of(List<Job> jobs, int limit) {
    String next = jobs.size() < limit ? null : encodeCursor(jobs.get(jobs.size() - 1).id().value());
    return new JobPage(jobs, next);
  }

  static String encodeCursor(long beforeId) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("id:" + beforeId).getBytes(StandardCharsets.UTF_8));
  }

  static long decodeCursor(String cursor) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (text.startsWith("id:")) {
        return Long.parseLong(text.substring(3));
      }
    } catch (IllegalArgumentException e) {
      // falls through to the error below
    }
    throw new IllegalArgumentException("cursor is not one this API returned: '" + cursor + "'");
  }
}
