package dev.offload.cli;

import dev.offload.Job.JobState;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli converters for option values; a bad value becomes a usage error (exit 2) that picocli
 * words as "Invalid value for option '--x': ...".
 */
final class Converters {
  private Converters() {}

  /** {@link Durations#parse}: {@code 500ms}, {@code 30s}, {@code 5m}, {@code PT30S}, ... */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A job state by its wire name ({@code succeeded}, {@code dead}, ...). */
  static final class StateConverter implements ITypeConverter<JobState> {
    @Override
    public JobState convert(String value) {
      try {
        return JobState.fromWire(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
