package dev.offload.engine;

import dev.offload.store.Store;
import dev.offload.store.Store.Heartbeat;
import dev.offload.store.Store.LeasedJob;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The heartbeat: renews, in one store call, the leases of every job this node holds (running, or
 * claimed and waiting for a slot) to a lease duration from now on the store's clock, each only
 * while the job still runs under the presented claim token on this node. It reports the leases it
 * could not renew (the job was rescued after this node stalled) and the jobs a user asked to
 * cancel; the {@link Engine} stops those attempts.
 *
 * <p>The engine's heartbeat thread calls {@link #runOnce} every heartbeat interval; tests call it
 * directly.
 */
final class LeaseRenewer {
  private final Store store;
  private final String node;
  private final Duration lease;
  private final Supplier<List<LeasedJob>> held;

  /**
   * What one beat found.
   *
   * @param lost the leases presented and not renewed: this node no longer holds those jobs
   * @param cancelRequested the ids of held jobs a user asked to cancel
   */
  record Beat(List<LeasedJob> lost, List<Long> cancelRequested) {
    static final Beat NONE = new Beat(List.of(), List.of());
  }

  /**
   * @param held the leases this node holds now, read at each beat
   */
  LeaseRenewer(Store store, String node, Duration lease, Supplier<List<LeasedJob>> held) {
    this.store = store;
    this.node = node;
    this.lease = lease;
    this.held = held;
  }

  /**
   * Renews every held lease once.
   *
   * @throws RuntimeException when the store fails; nothing is renewed then
   */
  Beat runOnce() {
    List<LeasedJob> leased = held.get();
    if (leased.isEmpty()) {
      return Beat.NONE;
    }
    Heartbeat beat = store.jobHeartbeat(node, leased, lease);
    Set<LeasedJob> renewed = new HashSet<>(beat.renewed());
    List<LeasedJob> lost = leased.stream().filter(l -> !renewed.contains(l)).toList();
    return new Beat(lost, beat.cancelRequested());
  }
}
