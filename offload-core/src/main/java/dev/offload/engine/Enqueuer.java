package dev.offload.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.EnqueueOptions;
import dev.offload.JobOptions;
import dev.offload.JobRequest;
import dev.offload.JobState;
import dev.offload.UnknownKindException;
import dev.offload.internal.Json;
import dev.offload.store.JobInsert;
import dev.offload.store.Store;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Turns enqueue requests into validated inserts: kind known, args JSON within the size limit. */
public final class Enqueuer {
  private final Store store;
  private final Map<String, Registration<?>> registry;
  private final EngineConfig config;
  private final Set<String> announcedKinds = ConcurrentHashMap.newKeySet();

  public Enqueuer(Store store, Map<String, Registration<?>> registry, EngineConfig config) {
    this.store = store;
    this.registry = registry;
    this.config = config;
  }

  public List<JobInsert> inserts(List<JobRequest> requests) {
    Instant now = config.clock().instant();
    List<JobInsert> inserts = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      try {
        inserts.add(insert(requests.get(i), now));
      } catch (IllegalArgumentException e) {
        if (requests.size() == 1) {
          throw e;
        }
        throw new IllegalArgumentException("job " + (i + 1) + " of " + requests.size() + ": " + e.getMessage(), e);
      }
    }
    return inserts;
  }

  private JobInsert insert(JobRequest request, Instant now) {
    EnqueueOptions o = request.options();
    Registration<?> reg = registry.get(request.kind());
    if (reg == null && !o.unknownKindAllowed() && !knownToStore(request.kind())) {
      throw new UnknownKindException(request.kind());
    }
    JobOptions kindOptions = reg == null ? JobOptions.defaults() : reg.options();
    String args = argsJson(request.args());
    Instant runAt = now;
    if (o.runAt() != null) {
      runAt = o.runAt();
    } else if (o.delay() != null) {
      runAt = now.plus(o.delay());
    }
    JobState state = runAt.isAfter(now) ? JobState.SCHEDULED : JobState.AVAILABLE;
    return new JobInsert(
        request.kind(),
        o.queue() != null ? o.queue() : kindOptions.queue(),
        o.priority() != null ? o.priority() : kindOptions.priority(),
        args,
        o.maxAttempts() != null ? o.maxAttempts() : kindOptions.maxAttempts(),
        state,
        runAt,
        now,
        null,
        null,
        o.idempotencyKey(),
        o.concurrencyKey(),
        o.uniqueKey(),
        o.uniqueFor() == null ? null : now.minus(o.uniqueFor()),
        o.replaceDuplicate());
  }

  /** The follow-up of {@code parent} for just its failed items, in its queue, with fresh attempts. */
  public JobInsert followUp(dev.offload.Job parent) {
    Instant now = config.clock().instant();
    List<String> keys = parent.failedItems().items().stream().map(dev.offload.FailedItems.Item::key).toList();
    Registration<?> reg = registry.get(parent.kind());
    int maxAttempts = reg == null ? parent.maxAttempts() : reg.options().maxAttempts();
    return new JobInsert(parent.kind(), parent.queue(), parent.priority(), parent.args().toString(), maxAttempts,
        JobState.AVAILABLE, now, now, parent.id().value(), Json.write(keys), null);
  }

  private String argsJson(Object args) {
    String json;
    if (args == null) {
      json = "{}";
    } else if (args instanceof JsonNode node) {
      json = node.toString();
    } else {
      try {
        json = Json.write(args);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("args: " + e.getMessage(), e);
      }
    }
    int bytes = json.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > config.maxArgsBytes()) {
      throw new IllegalArgumentException(
          "args are " + bytes + " bytes of JSON, over the limit of " + config.maxArgsBytes() + " bytes");
    }
    return json;
  }

  private boolean knownToStore(String kind) {
    if (announcedKinds.contains(kind)) {
      return true;
    }
    if (store.kindKnown(kind)) {
      announcedKinds.add(kind);
      return true;
    }
    return false;
  }
}
