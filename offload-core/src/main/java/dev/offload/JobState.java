package dev.offload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The states of a job, as in {@code docs/states.md}. Stored, serialized and shown in lower case.
 *
 * <pre>
 * scheduled --run_at reached--> available --claimed--> running --ok--> succeeded
 *                                   ^                    |--error, attempts left--> retrying --backoff--> available
 *                                   |                    |--error, none left / permanent--> dead
 *                                   |                    |--cancel--> cancelled
 *                                   +---- replay from dead / cancelled
 * waiting --every dependency succeeded (or ended, for an onFailure=continue step)--> available
 * waiting --a dependency ended dead or cancelled (onFailure=cancel)--> cancelled
 * </pre>
 *
 * <p>{@code waiting} is a workflow step whose dependencies have not all ended; it is never claimed.
 */
public enum JobState {
  SCHEDULED,
  AVAILABLE,
  RUNNING,
  RETRYING,
  SUCCEEDED,
  DEAD,
  CANCELLED,
  WAITING;

  /** The name used in SQL, JSON and the CLI. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name; throws {@link IllegalArgumentException} naming the valid states. */
  @JsonCreator
  public static JobState fromWire(String name) {
    for (JobState s : values()) {
      if (s.wireName().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown job state '"
            + name
            + "' (expected one of scheduled, available, running, retrying, succeeded, dead, cancelled, waiting)");
  }

  /** Whether the job has ended and will not run again unless replayed. */
  public boolean isFinal() {
    return this == SUCCEEDED || this == DEAD || this == CANCELLED;
  }
}
