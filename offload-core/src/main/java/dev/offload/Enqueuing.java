package dev.offload;

import dev.offload.EnqueueOptions.Enqueued;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job.JobId;
import dev.offload.Offload.TransactionLookup;
import dev.offload.engine.Node;
import dev.offload.internal.OffloadInternals.JobInterceptor;
import dev.offload.store.Store;
import dev.offload.store.Store.InsertResult;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How {@link Offload} writes new jobs: in the caller's transaction when it names one or the {@link
 * TransactionLookup} finds one, else in a transaction of its own; then tells the interceptors
 * (which wake this node's workers, or wait for the commit to).
 */
final class Enqueuing {
  private final Store store;
  private final Node node;
  private final @Nullable TransactionLookup transactions;
  private final List<JobInterceptor> interceptors;

  Enqueuing(
      Store store,
      Node node,
      @Nullable TransactionLookup transactions,
      List<JobInterceptor> interceptors) {
    this.store = store;
    this.node = node;
    this.transactions = transactions;
    this.interceptors = List.copyOf(interceptors);
  }

  /** The caller's transaction, as the lookup finds it; null when there is none. */
  private @Nullable Connection callersTransaction() {
    return transactions == null ? null : transactions.current();
  }

  void afterEnqueue(boolean inTransaction) {
    for (JobInterceptor i : interceptors) {
      i.afterEnqueue(inTransaction);
    }
  }

  Enqueued enqueueOrFind(JobRequest request) {
    List<InsertResult> results = new ArrayList<>(1);
    Connection tx = callersTransaction();
    List<Long> ids =
        node.insert(
            List.of(request),
            inserts -> {
              results.addAll(
                  tx == null
                      ? store.jobInsertManyResults(inserts)
                      : store.jobInsertManyResults(tx, inserts));
              return results.stream().map(InsertResult::id).toList();
            },
            /* committed= */ tx == null);
    afterEnqueue(/* inTransaction= */ tx != null);
    // No results: the node inserted the job itself, as a claim of its own (no key, so new).
    boolean duplicate = !results.isEmpty() && results.get(0).duplicate();
    return new Enqueued(new JobId(ids.get(0)), duplicate);
  }

  /** In the caller's transaction when the lookup finds one, else in one of its own. */
  List<JobId> enqueueAll(List<JobRequest> requests) {
    Connection tx = callersTransaction();
    return tx != null ? enqueueAll(tx, requests) : enqueueOwn(requests);
  }

  /** In a transaction of its own, whatever transaction the caller is in. */
  List<JobId> enqueueOwn(List<JobRequest> requests) {
    if (requests.isEmpty()) {
      return List.of();
    }
    List<JobId> ids = ids(node.insert(requests, store::jobInsertMany, /* committed= */ true));
    afterEnqueue(/* inTransaction= */ false);
    return ids;
  }

  List<JobId> enqueueAll(Connection tx, List<JobRequest> requests) {
    Objects.requireNonNull(tx, "tx");
    if (requests.isEmpty()) {
      return List.of();
    }
    List<JobId> ids = ids(node.insert(requests, inserts -> store.jobInsertMany(tx, inserts)));
    afterEnqueue(/* inTransaction= */ true);
    return ids;
  }

  /** A follow-up of {@code parent} that processes only the items it recorded as failed. */
  JobId followUp(Job parent) {
    JobId id = new JobId(store.jobInsertMany(List.of(node.followUp(parent))).get(0));
    afterEnqueue(/* inTransaction= */ false);
    return id;
  }

  private static List<JobId> ids(List<Long> ids) {
    List<JobId> out = new ArrayList<>(ids.size());
    for (long id : ids) {
      out.add(new JobId(id));
    }
    return out;
  }
}
