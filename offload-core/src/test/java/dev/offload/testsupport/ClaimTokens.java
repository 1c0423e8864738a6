package dev.offload.testsupport;

import dev.offload.store.Store;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.store.Store.LeasedJob;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real store that notes the claim token of every job it hands out, so a test can act on a node's
 * lease as the node itself or another node's rescuer would (expire it, rescue it). Every call goes
 * to the real store unchanged.
 */
final class ClaimTokens {
  private final Map<Long, Long> tokens = new ConcurrentHashMap<>();
  private final Store store;

  ClaimTokens(Store real) {
    this.store =
        (Store)
            Proxy.newProxyInstance(
                Store.class.getClassLoader(),
                new Class<?>[] {Store.class},
                (proxy, method, args) -> {
                  Object result;
                  try {
                    result = method.invoke(real, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                  // jobClaim, jobClaimInserted and jobInsertThenClaim (a job the node enqueued
                  // itself).
                  List<?> claimed =
                      method.getName().startsWith("jobClaim")
                          ? (List<?>) result
                          : result instanceof Store.InsertedThenClaimed done
                              ? done.claimed()
                              : List.of();
                  for (Object job : claimed) {
                    tokens.put(((ClaimedJob) job).id(), ((ClaimedJob) job).token());
                  }
                  return result;
                });
  }

  /** The store to give the node under test. */
  Store store() {
    return store;
  }

  /** The lease of the latest claim of job {@code id}. */
  LeasedJob lease(long id) {
    Long token = tokens.get(id);
    if (token == null) {
      throw new IllegalStateException("job " + id + " was not claimed through this store");
    }
    return new LeasedJob(id, token);
  }
}
