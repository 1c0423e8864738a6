package dev.offload;

import dev.offload.Offload.Builder;
import dev.offload.engine.Node.EngineConfig;
import dev.offload.engine.Node.Registration;
import dev.offload.internal.Json;
import dev.offload.internal.OffloadInternals.JobInterceptor;
import dev.offload.store.Store;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What {@link Builder#build()} does: checks every setting (failing with the field and the value),
 * fills in the defaults that depend on other settings, migrates the store and writes the queues'
 * declared flow-control defaults, prepares the JSON reader and writer of every registered args type
 * (so that the first enqueue does not build them), then makes the {@link Offload}. The builder only
 * collects.
 */
final class OffloadAssembly {
  private OffloadAssembly() {}

  static Offload build(Builder b) {
    Store store = b.store;
    if (store == null) {
      throw new IllegalStateException(
          "store is required: Offload.builder().store(SqliteStore.open(path)) or PostgresStore");
    }
    EngineConfig config = engineConfig(b);
    if (b.migrate) {
      store.migrate();
    }
    b.queueDefaults.forEach(
        (name, defaults) -> store.queueSettingsPut(name, defaults, /* onlyIfUnconfigured= */ true));
    for (Registration<?> r : b.registry.values()) {
      Json.prepare(r.argsType());
    }
    return new Offload(
        store,
        b.registry,
        config,
        List.copyOf(b.declaredSchedules.values()),
        b.progressKey == null ? null : new ProgressTokens(b.progressKey),
        b.transactions,
        b.webPath);
  }

  private static EngineConfig engineConfig(Builder b) {
    requirePositive("pollInterval", b.pollInterval);
    requirePositive("leaseDuration", b.leaseDuration);
    requirePositive("rescueInterval", b.rescueInterval);
    requirePositive("progressInterval", b.progressInterval);
    requirePositive("retention", b.retention);
    requirePositive("deadRetention", b.deadRetention);
    Duration beat =
        b.heartbeatInterval != null ? b.heartbeatInterval : b.leaseDuration.dividedBy(3);
    requirePositive("heartbeatInterval", beat);
    if (beat.compareTo(b.leaseDuration) >= 0) {
      throw new IllegalStateException(
          "heartbeatInterval " + beat + " must be shorter than leaseDuration " + b.leaseDuration);
    }
    if (b.shutdownGrace == null || b.shutdownGrace.isNegative()) {
      throw new IllegalStateException("shutdownGrace must not be negative, got " + b.shutdownGrace);
    }
    if (b.maxClaimBatch < 1 || b.maxClaimBatch > 10_000) {
      throw new IllegalStateException(
          "maxClaimBatch must be between 1 and 10000, got " + b.maxClaimBatch);
    }
    if (b.maxArgsBytes < 2) {
      throw new IllegalStateException("maxArgsBytes must be at least 2, got " + b.maxArgsBytes);
    }
    if (b.progressKey != null && b.progressKey.length < ProgressTokens.MIN_KEY_BYTES) {
      throw new IllegalStateException(
          "progressKey must be at least "
              + ProgressTokens.MIN_KEY_BYTES
              + " bytes (32 random bytes recommended), got "
              + b.progressKey.length);
    }
    if (b.maxResultBytes < 4) {
      throw new IllegalStateException("maxResultBytes must be at least 4, got " + b.maxResultBytes);
    }
    return new EngineConfig(
        b.node != null ? b.node : defaultNodeName(),
        allQueues(b),
        b.pollInterval,
        b.leaseDuration,
        beat,
        b.rescueInterval,
        b.shutdownGrace,
        b.progressInterval,
        b.maxClaimBatch,
        b.maxArgsBytes,
        b.maxResultBytes,
        b.retention,
        b.deadRetention,
        b.listeners,
        b.clock,
        withLoadedInterceptors(b.interceptors),
        b.publicUrl,
        b.pushSecrets);
  }

  /**
   * The queues this node works: those configured, then each registered kind's queue (concurrency
   * 10), or {@code default} alone when there are neither.
   */
  private static Map<String, Integer> allQueues(Builder b) {
    Map<String, Integer> all = new LinkedHashMap<>(b.queues);
    for (Registration<?> r : b.registry.values()) {
      all.putIfAbsent(r.options().queue(), 10);
    }
    if (all.isEmpty()) {
      all.put("default", 10);
    }
    return all;
  }

  /**
   * The interceptors added to the builder and those of Offload's optional modules on the class path
   * (offload-opentelemetry), found with the ServiceLoader.
   */
  private static List<JobInterceptor> withLoadedInterceptors(List<JobInterceptor> added) {
    List<JobInterceptor> all = new ArrayList<>();
    for (JobInterceptor i : ServiceLoader.load(JobInterceptor.class)) {
      all.add(i);
    }
    all.addAll(added);
    return all;
  }

  private static void requirePositive(String field, @Nullable Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalStateException(field + " must be positive, got " + value);
    }
  }

  private static String defaultNodeName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "node";
    }
    return host
        + "-"
        + ProcessHandle.current().pid()
        + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The args type of a handler class that implements {@code JobHandler<A>} with a concrete A. */
  @SuppressWarnings("unchecked")
  static <A> Class<A> argsTypeOf(JobHandler<A> handler) {
    for (Type t : handler.getClass().getGenericInterfaces()) {
      if (t instanceof ParameterizedType p && p.getRawType() == JobHandler.class) {
        Type arg = p.getActualTypeArguments()[0];
        if (arg instanceof Class<?> c) {
          return (Class<A>) c;
        }
        if (arg instanceof ParameterizedType pa && pa.getRawType() instanceof Class<?> c) {
          return (Class<A>) c;
        }
      }
    }
    throw new IllegalArgumentException(
        "cannot tell the args type of "
            + handler.getClass().getName()
            + " (a lambda?): use register(kind, ArgsType.class, handler, options)");
  }
}
