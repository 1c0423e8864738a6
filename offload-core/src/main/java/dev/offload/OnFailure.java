package dev.offload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a workflow step does when one of its dependencies ends dead or cancelled. */
public enum OnFailure {
  /** The step is cancelled, and so are its own dependents that cancel (the default). */
  CANCEL,
  /** The step runs anyway once every dependency has ended (e.g. a notification either way). */
  CONTINUE;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static OnFailure fromWire(String name) {
    for (OnFailure f : values()) {
      if (f.wireName().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("onFailure must be cancel or continue, got '" + name + "'");
  }
}
