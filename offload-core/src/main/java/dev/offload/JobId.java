package dev.offload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The identity of a job: a positive number assigned by the store. */
public record JobId(long value) {
  public JobId {
    if (value <= 0) {
      throw new IllegalArgumentException("job id must be positive, got " + value);
    }
  }

  @JsonCreator
  public static JobId of(long value) {
    return new JobId(value);
  }

  /** Parses an id as typed by a user; throws {@link IllegalArgumentException} with the bad text. */
  public static JobId parse(String text) {
    try {
      return new JobId(Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("job id must be a positive number, got '" + text + "'");
    }
  }

  @JsonValue
  @Override
  public long value() {
    return value;
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
