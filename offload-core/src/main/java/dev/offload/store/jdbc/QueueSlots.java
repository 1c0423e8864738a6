package dev.offload.store.jdbc;

import java.util.List;
import java.util.TreeSet;

/**
 * How both stores share out a queue limit ({@code maxRunning}) between nodes: the arithmetic of
 * {@link dev.offload.store.Store#queueSlots}, run under the lock for the queue's slots over the
 * live leases of the other nodes. The sum of the leases never exceeds the limit: a node is granted
 * at most what the others leave, and its lease keeps counting slots it gives back until it reports
 * them unused.
 */
public final class QueueSlots {
  private QueueSlots() {}

  /**
   * Another node's live lease.
   *
   * @param node the node
   * @param held the slots it may be running
   * @param wanted the slots it could use
   */
  public record Lease(String node, int held, int wanted) {}

  /**
   * How many jobs of the queue {@code node} may run: what it wants of what the others leave, and,
   * while another node wants more than it holds, no more than its fair share.
   *
   * @param maxRunning the queue limit
   * @param node the node asking
   * @param wanted what it wants
   * @param others the other nodes' live leases
   * @return the slots granted, from 0
   */
  public static int allowed(int maxRunning, String node, int wanted, List<Lease> others) {
    int heldByOthers = 0;
    boolean othersWantMore = false;
    for (Lease l : others) {
      heldByOthers += l.held();
      othersWantMore |= l.wanted() > l.held();
    }
    int allowed = Math.min(wanted, maxRunning - heldByOthers);
    if (othersWantMore) {
      allowed = Math.min(allowed, fairShare(maxRunning, node, wanted, others));
    }
    return Math.max(0, allowed);
  }

  /**
   * The limit split evenly between the nodes that want slots, the remainder going to the first of
   * them by name (so the shares add up to the limit however the nodes ask).
   */
  static int fairShare(int maxRunning, String node, int wanted, List<Lease> others) {
    TreeSet<String> wanting = new TreeSet<>();
    for (Lease l : others) {
      if (l.wanted() > 0) {
        wanting.add(l.node());
      }
    }
    if (wanted > 0) {
      wanting.add(node);
    }
    if (wanting.isEmpty()) {
      return 0;
    }
    int n = wanting.size();
    int rank = wanting.headSet(node).size();
    return maxRunning / n + (rank < maxRunning % n ? 1 : 0);
  }

  /**
   * What the lease records: the grant, or what the node may still be running if that is more.
   *
   * @param allowed the slots granted
   * @param bound the most the node may be running until it hears of the grant
   * @return the slots the lease holds
   */
  public static int held(int allowed, int bound) {
    return Math.max(allowed, bound);
  }
}
