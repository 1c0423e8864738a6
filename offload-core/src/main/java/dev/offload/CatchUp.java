package dev.offload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a schedule does about ticks missed while no node ran (a tick more than a minute late is
 * missed; later ones fire as usual).
 */
public enum CatchUp {
  /** Skip missed ticks; the next tick fires as usual. */
  NONE,
  /** One job for the latest missed tick (the default). */
  LATEST,
  /**
   * One job for each missed tick, the latest {@value #MAX_MISSED} at most; the rest are dropped and
   * logged.
   */
  ALL;

  /** At most this many missed ticks of one schedule are caught up at once. */
  public static final int MAX_MISSED = 100;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static CatchUp fromWire(String name) {
    for (CatchUp c : values()) {
      if (c.wireName().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "unknown catch-up policy '" + name + "' (expected none, latest or all)");
  }
}
