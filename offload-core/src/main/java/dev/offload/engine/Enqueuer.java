package dev.offload.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.OffloadException.IdempotencyKeyConflictException;
import dev.offload.OffloadException.InvalidJobException;
import dev.offload.OffloadException.UnknownKindException;
import dev.offload.engine.Node.EngineConfig;
import dev.offload.engine.Node.Registration;
import dev.offload.internal.Json;
import dev.offload.store.Store;
import dev.offload.store.Store.JobInsert;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Turns enqueue requests into validated inserts: kind known, args JSON within the size and depth
 * limits, of the kind's args type when this node knows the kind, times within the stores' range.
 */
final class Enqueuer {
  private final Store store;
  private final Map<String, Registration<?>> registry;
  private final EngineConfig config;
  private final Set<String> announcedKinds = ConcurrentHashMap.newKeySet();
  // Push queues seen lately (System.nanoTime()), so enqueueing to one reads its settings at most
  // once a second.
  private final Map<String, Long> pushQueuesSeen = new ConcurrentHashMap<>();

  Enqueuer(Store store, Map<String, Registration<?>> registry, EngineConfig config) {
    this.store = store;
    this.registry = registry;
    this.config = config;
  }

  public List<JobInsert> inserts(List<JobRequest> requests) {
    Instant now = config.clock().instant();
    String headers = headersJson();
    List<String> written = batchArgs(requests);
    List<JobInsert> inserts = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      try {
        JobInsert insert = insert(requests.get(i), now, written == null ? null : written.get(i));
        inserts.add(headers == null ? insert : insert.withHeaders(headers));
      } catch (IllegalArgumentException e) {
        if (requests.size() == 1) {
          throw e;
        }
        String where = "job " + (i + 1) + " of " + requests.size() + ": ";
        if (e instanceof InvalidJobException invalid) {
          throw invalid.tooLarge()
              ? InvalidJobException.tooLarge(invalid.field(), where + e.getMessage())
              : InvalidJobException.invalid(invalid.field(), where + e.getMessage());
        }
        throw new IllegalArgumentException(where + e.getMessage(), e);
      }
    }
    return inserts;
  }

  /** What the interceptors store with the jobs enqueued now (a trace context), or null. */
  private String headersJson() {
    if (config.interceptors().isEmpty()) {
      return null;
    }
    Map<String, String> headers = new java.util.TreeMap<>();
    for (dev.offload.internal.OffloadInternals.JobInterceptor i : config.interceptors()) {
      headers.putAll(i.enqueueHeaders());
    }
    return headers.isEmpty() ? null : Json.write(headers);
  }

  /**
   * The args of a batch as JSON text, written through one generator ({@link Json#writeAll}); null
   * for a single request, when some args are null or a tree, or when some cannot be written (each
   * job then writes its own, and the one that fails says why).
   */
  private static @Nullable List<String> batchArgs(List<JobRequest> requests) {
    if (requests.size() < 2) {
      return null;
    }
    List<Object> args = new ArrayList<>(requests.size());
    for (JobRequest r : requests) {
      if (r.args() == null || r.args() instanceof JsonNode) {
        return null;
      }
      args.add(r.args());
    }
    return Json.writeAll(args);
  }

  private JobInsert insert(JobRequest request, Instant now, @Nullable String written) {
    EnqueueOptions o = request.options();
    Registration<?> reg = registry.get(request.kind());
    if (reg == null
        && !o.unknownKindAllowed()
        && !knownToStore(request.kind())
        && !pushQueue(o.queue())) {
      throw new UnknownKindException(request.kind());
    }
    JobOptions kindOptions = reg == null ? JobOptions.defaults() : reg.options();
    String args = written != null ? written : argsJson(request.args());
    ArgsCheck.text(args, config.maxArgsBytes());
    if (reg != null) {
      ArgsCheck.type(request.kind(), request.args(), args, reg.argsType());
    }
    Instant runAt = now;
    if (o.runAt() != null) {
      runAt = o.runAt();
    } else if (o.delay() != null) {
      if (o.delay().compareTo(Duration.between(now, EnqueueOptions.LATEST_RUN_AT)) > 0) {
        throw InvalidJobException.invalid(
            "delay",
            "delay must end by "
                + EnqueueOptions.LATEST_RUN_AT
                + ", got "
                + o.delay().toDays()
                + " days");
      }
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
        /* parentId= */ null,
        /* retryItemsJson= */ null,
        o.idempotencyKey(),
        /* schedule= */ null,
        o.concurrencyKey() != null || reg == null
            ? o.concurrencyKey()
            : derivedKey(request, args, reg),
        o.uniqueKey(),
        o.uniqueFor() == null ? null : now.minus(o.uniqueFor()),
        o.replaceDuplicate(),
        /* headersJson= */ null);
  }

  /**
   * The inserts of one batch with each idempotency key once: a key repeated in the batch names the
   * same request, so its repeats get the first one's job. {@link #ids} maps the store's ids back to
   * every request.
   *
   * @param distinct the inserts to send to the store, each key at most once
   * @param slots for each request of the batch, its index in {@code distinct}; null when no request
   *     has an idempotency key ({@code distinct} is then the batch itself)
   */
  public record Batch(List<JobInsert> distinct, int @Nullable [] slots) {
    /** The id of every request, in request order, from the ids of {@link #distinct}. */
    public List<Long> ids(List<Long> distinctIds) {
      if (slots == null) {
        return distinctIds;
      }
      List<Long> ids = new ArrayList<>(slots.length);
      for (int slot : slots) {
        ids.add(distinctIds.get(slot));
      }
      return ids;
    }
  }

  /**
   * Folds repeated idempotency keys together.
   *
   * @throws IdempotencyKeyConflictException when a key is repeated with another kind or other args
   */
  public static Batch distinctKeys(List<JobInsert> inserts) {
    if (!hasIdempotencyKey(inserts)) {
      // The usual batch: every insert is its own job, and the store's ids are the requests'.
      return new Batch(inserts, null);
    }
    List<JobInsert> distinct = new ArrayList<>(inserts.size());
    int[] slots = new int[inserts.size()];
    Map<String, Integer> byKey = new HashMap<>();
    for (int i = 0; i < inserts.size(); i++) {
      JobInsert insert = inserts.get(i);
      Integer first = insert.idempotencyKey() == null ? null : byKey.get(insert.idempotencyKey());
      if (first == null) {
        if (insert.idempotencyKey() != null) {
          byKey.put(insert.idempotencyKey(), distinct.size());
        }
        slots[i] = distinct.size();
        distinct.add(insert);
      } else {
        JobInsert earlier = distinct.get(first);
        if (!earlier.kind().equals(insert.kind())
            || !JobInsert.sameJson(earlier.argsJson(), insert.argsJson())) {
          throw new IdempotencyKeyConflictException(
              insert.idempotencyKey(),
              "job "
                  + (i + 1)
                  + " of the batch differs in kind or args from an earlier one with the same key");
        }
        slots[i] = first;
      }
    }
    return new Batch(distinct, slots);
  }

  private static boolean hasIdempotencyKey(List<JobInsert> inserts) {
    for (JobInsert insert : inserts) {
      if (insert.idempotencyKey() != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * The follow-up of {@code parent} for just its failed items, in its queue, with fresh attempts.
   */
  public JobInsert followUp(dev.offload.Job parent) {
    Instant now = config.clock().instant();
    List<String> keys =
        parent.failedItems().items().stream().map(dev.offload.Job.FailedItems.Item::key).toList();
    Registration<?> reg = registry.get(parent.kind());
    int maxAttempts = reg == null ? parent.maxAttempts() : reg.options().maxAttempts();
    return new JobInsert(
        parent.kind(),
        parent.queue(),
        parent.priority(),
        parent.args().toString(),
        maxAttempts,
        JobState.AVAILABLE,
        now,
        now,
        parent.id().value(),
        Json.write(keys),
        /* idempotencyKey= */ null,
        /* schedule= */ null,
        /* concurrencyKey= */ null,
        /* uniqueKey= */ null,
        /* uniqueFinishedAfter= */ null,
        /* replaceDuplicate= */ false,
        /* headersJson= */ null);
  }

  /**
   * The concurrency key the kind derives from the job's args ({@link JobOptions#concurrencyKey}),
   * or null when it derives none.
   */
  private static @Nullable String derivedKey(JobRequest request, String args, Registration<?> reg) {
    java.util.function.Function<Object, @Nullable String> derive = reg.options().concurrencyKey();
    if (derive == null) {
      return null;
    }
    String key;
    try {
      Object typed =
          reg.argsType().isInstance(request.args())
              ? request.args()
              : Json.read(args, reg.argsType());
      key = derive.apply(typed);
    } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw InvalidJobException.invalid(
          "concurrencyKey",
          "the concurrencyKey function of kind '"
              + request.kind()
              + "' failed on these args: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
    // The same check as an explicit key: 1-255 characters.
    return key == null ? null : EnqueueOptions.none().concurrencyKey(key).concurrencyKey();
  }

  private static String argsJson(Object args) {
    String json;
    if (args == null) {
      json = "{}";
    } else if (args instanceof JsonNode node) {
      json = node.toString();
    } else {
      try {
        json = Json.write(args);
      } catch (IllegalArgumentException e) {
        throw InvalidJobException.invalid("args", "args: " + e.getMessage());
      }
    }
    return json;
  }

  /**
   * Whether {@code queue} is a push queue: its endpoint, not a node's handlers, knows its kinds.
   */
  private boolean pushQueue(String queue) {
    if (queue == null) {
      return false;
    }
    Long seen = pushQueuesSeen.get(queue);
    if (seen != null && System.nanoTime() - seen < 1_000_000_000L) {
      return true;
    }
    // Read afresh: a queue bound a moment ago on any node counts at once.
    boolean push =
        store.queueSettingsList().stream()
            .anyMatch(s -> s.name().equals(queue) && s.options().push() != null);
    if (push) {
      pushQueuesSeen.put(queue, System.nanoTime());
    } else {
      pushQueuesSeen.remove(queue);
    }
    return push;
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
