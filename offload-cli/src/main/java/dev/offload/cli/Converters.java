package dev.offload.cli;

import dev.offload.Job.JobState;
import java.time.Duration;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli converters for option values; a bad value becomes a usage error (exit 2) that picocli
 * words as "Invalid value for option '--x': ...".
 */
final class Converters {
  private Converters() {}

  /** A converter from a parser that throws {@link IllegalArgumentException} on a bad value. */
  abstract static class Parsing<T> implements ITypeConverter<T> {
    private final Function<String, T> parser;

    Parsing(Function<String, T> parser) {
      this.parser = parser;
    }

    @Override
    public final T convert(String value) {
      try {
        return parser.apply(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** {@link Durations#parse}: {@code 500ms}, {@code 30s}, {@code 5m}, {@code PT30S}, ... */
  static final class DurationConverter extends Parsing<Duration> {
    DurationConverter() {
      super(Durations::parse);
    }
  }

  /** A job state by its wire name ({@code succeeded}, {@code dead}, ...). */
  static final class StateConverter extends Parsing<JobState> {
    StateConverter() {
      super(JobState::fromWire);
    }
  }
}
