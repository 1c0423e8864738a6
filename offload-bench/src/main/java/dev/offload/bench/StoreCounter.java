package dev.offload.bench;

import dev.offload.store.Store;
import dev.offload.store.Store.ClaimParams;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link Store} that counts what the engine asks of the store it wraps: calls and time per
 * method, and for claims the rows asked and returned. A claim that returns fewer rows than asked
 * while runnable rows of its queue exist (checked right after, on a connection of its own) is a
 * <em>short claim with work</em>: rows that other claims held ({@code SKIP LOCKED}) or, with flow
 * control, rows the limits held back. Only the short claims pay for the check.
 */
final class StoreCounter {
  private final Map<String, LongAdder[]> calls = new ConcurrentHashMap<>();
  private final LongAdder claims = new LongAdder();
  private final LongAdder asked = new LongAdder();
  private final LongAdder claimed = new LongAdder();
  private final LongAdder shortClaims = new LongAdder();
  private final LongAdder shortWithWork = new LongAdder();
  private final String table;
  private Connection check;

  private StoreCounter(String table) {
    this.table = table;
  }

  /** A store that counts into a new counter; read it with {@link #of}. */
  static Store wrap(Store store, String table) {
    StoreCounter counter = new StoreCounter(table);
    return (Store)
        Proxy.newProxyInstance(
            Store.class.getClassLoader(),
            new Class<?>[] {Store.class, Counted.class},
            (proxy, method, args) -> {
              if (method.getDeclaringClass() == Counted.class) {
                return counter;
              }
              long t0 = System.nanoTime();
              Object out;
              try {
                out = method.invoke(store, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              long took = System.nanoTime() - t0;
              LongAdder[] c =
                  counter.calls.computeIfAbsent(
                      method.getName(), k -> new LongAdder[] {new LongAdder(), new LongAdder()});
              c[0].increment();
              c[1].add(took);
              if (method.getName().equals("jobClaim")) {
                counter.claimed((ClaimParams) args[0], ((List<?>) out).size());
              }
              return out;
            });
  }

  /** The counter behind a store from {@link #wrap}. */
  static StoreCounter of(Store store) {
    return ((Counted) store).counter();
  }

  /** Lets {@link #of} find the counter behind the proxy. */
  interface Counted {
    StoreCounter counter();
  }

  private void claimed(ClaimParams params, int rows) throws Exception {
    claims.increment();
    asked.add(params.limit());
    claimed.add(rows);
    if (rows < params.limit()) {
      shortClaims.increment();
      if (runnableExists(params.queue())) {
        shortWithWork.increment();
      }
    }
  }

  private synchronized boolean runnableExists(String queue) throws Exception {
    if (check == null) {
      check = Pg.connect(Pg.baseUrl());
    }
    try (PreparedStatement ps =
        check.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM "
                + table
                + " WHERE queue = ? AND state IN ('available', 'retrying', 'scheduled')"
                + " AND run_at <= now())")) {
      ps.setString(1, queue);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** Starts the counts again (the measured part of a run begins). */
  void reset() {
    calls.clear();
    for (LongAdder a : List.of(claims, asked, claimed, shortClaims, shortWithWork)) {
      a.reset();
    }
  }

  /** The counts so far, for a RESULT line. */
  Map<String, Object> snapshot() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("claims", claims.sum());
    m.put("claimRowsAsked", asked.sum());
    m.put("claimRows", claimed.sum());
    m.put("shortClaims", shortClaims.sum());
    m.put("shortClaimsWithWork", shortWithWork.sum());
    m.put("claimMicros", micros("jobClaim"));
    LongAdder[] complete = calls.get("jobCompleteMany");
    m.put("completeCalls", complete == null ? 0 : complete[0].sum());
    m.put("completeMicros", micros("jobCompleteMany"));
    Map<String, Object> perMethod = new LinkedHashMap<>();
    calls.forEach((name, c) -> {
      long n = c[0].sum();
      perMethod.put(name, Map.of("calls", n, "meanMs", Child.round(c[1].sum() / 1e6 / n)));
    });
    m.put("storeCalls", perMethod);
    return m;
  }

  /** The time spent in {@code method} in all, in microseconds. */
  private long micros(String method) {
    LongAdder[] c = calls.get(method);
    return c == null ? 0 : c[1].sum() / 1_000;
  }

  synchronized void close() throws Exception {
    if (check != null) {
      check.close();
    }
  }
}
