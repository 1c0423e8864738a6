package dev.offload.store;

/**
 * Where a store's database stands against the migrations this code ships: {@code current} is the
 * newest migration applied (0 for a database without Offload's schema), {@code latest} the newest
 * one this code knows.
 */
public record SchemaVersion(int current, int latest) {
  public SchemaVersion {
    if (current < 0 || latest < 1) {
      throw new IllegalArgumentException(
          "schema versions must be current >= 0 and latest >= 1, got "
              + current
              + " and "
              + latest);
    }
  }

  /** Whether the database has every migration this code knows, and no newer one. */
  public boolean upToDate() {
    return current == latest;
  }
}
