package dev.offload.store;

import java.util.List;

/**
 * What one heartbeat did.
 *
 * @param renewed the presented leases the store extended: their job is still running under that
 *     claim token and held by that node. A presented lease missing here is lost (its job was
 *     rescued, released or ended, and may run elsewhere), so the node stops that attempt.
 * @param cancelRequested the ids among the renewed whose cancellation was requested, so a missed
 *     notification still stops them within a heartbeat
 */
public record Heartbeat(List<LeasedJob> renewed, List<Long> cancelRequested) {
  public Heartbeat {
    renewed = List.copyOf(renewed);
    cancelRequested = List.copyOf(cancelRequested);
  }

  /** The answer to a heartbeat that presented no lease. */
  public static Heartbeat none() {
    return new Heartbeat(List.of(), List.of());
  }
}
