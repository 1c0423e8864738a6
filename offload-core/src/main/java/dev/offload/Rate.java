package dev.offload;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rate limit: at most {@code count} job starts per {@code period}, spread evenly (one start every
 * {@code period / count}), never a burst of {@code count} at the start of each period. Written
 * {@code 10/s}, {@code 600/min}, {@code 5000/h} (also {@code /d}).
 *
 * @param count starts per period, at least 1
 * @param period one second, minute, hour or day
 */
public record Rate(int count, Duration period) {
  private static final Pattern TEXT = Pattern.compile("\\s*(\\d{1,9})\\s*/\\s*([a-z]+)\\s*");
  private static final Duration DAY = Duration.ofDays(1);

  public Rate {
    Objects.requireNonNull(period, "period");
    if (count < 1) {
      throw new IllegalArgumentException(
          "a rate must allow at least 1 start per period, got " + count + "/" + unit(period));
    }
    if (!period.equals(Duration.ofSeconds(1))
        && !period.equals(Duration.ofMinutes(1))
        && !period.equals(Duration.ofHours(1))
        && !period.equals(DAY)) {
      throw new IllegalArgumentException(
          "a rate's period must be a second, a minute, an hour or a day, got " + period);
    }
    if (count > 1_000_000) {
      throw new IllegalArgumentException(
          "a rate may allow at most 1000000 starts per period, got " + count);
    }
  }

  public static Rate perSecond(int count) {
    return new Rate(count, Duration.ofSeconds(1));
  }

  public static Rate perMinute(int count) {
    return new Rate(count, Duration.ofMinutes(1));
  }

  public static Rate perHour(int count) {
    return new Rate(count, Duration.ofHours(1));
  }

  /**
   * Reads {@code N/PERIOD}, PERIOD one of {@code s}, {@code min}, {@code h}, {@code d} (or {@code
   * sec}, {@code second}, {@code m}, {@code minute}, {@code hour}, {@code day}).
   *
   * @throws IllegalArgumentException naming the text and what was expected
   */
  public static Rate parse(String text) {
    Matcher m = TEXT.matcher(text == null ? "" : text.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "rate must be N/PERIOD such as 10/s, 600/min or 5000/h, got '" + text + "'");
    }
    Duration period =
        switch (m.group(2)) {
          case "s", "sec", "second" -> Duration.ofSeconds(1);
          case "m", "min", "minute" -> Duration.ofMinutes(1);
          case "h", "hour" -> Duration.ofHours(1);
          case "d", "day" -> DAY;
          default ->
              throw new IllegalArgumentException(
                  "rate period must be s, min, h or d (as in 10/s, 600/min, 5000/h), got '"
                      + m.group(2)
                      + "' in '"
                      + text
                      + "'");
        };
    return new Rate(Integer.parseInt(m.group(1)), period);
  }

  /** The time between two starts: {@code period / count}. */
  public Duration interval() {
    return period.dividedBy(count);
  }

  /** {@code 10/s}, {@code 600/min}, {@code 5000/h}, {@code 2/d}: what {@link #parse} reads. */
  @Override
  public String toString() {
    return count + "/" + unit(period);
  }

  private static String unit(Duration period) {
    if (period.equals(Duration.ofSeconds(1))) {
      return "s";
    } else if (period.equals(Duration.ofMinutes(1))) {
      return "min";
    } else if (period.equals(Duration.ofHours(1))) {
      return "h";
    }
    return period.equals(DAY) ? "d" : period.toString();
  }
}
