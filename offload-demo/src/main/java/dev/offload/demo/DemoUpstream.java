package dev.offload.demo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's simulated upstream API: a shop's order service, slow and flaky on purpose, as an HTTP
 * server on a free port of 127.0.0.1 (the JDK's {@code com.sun.net.httpserver}).
 *
 * <pre>
 * GET /orders?cursor=C&amp;limit=L  {"orders": [{"id", "customer", "month", "amountCents"}, ...], "next": C2 | null}
 * GET /orders/{id}               {"order": {...}}, or 404
 * GET /totals                    {"year", "orders", "amountCents", "months": [{"month", "orders", "amountCents"}, ...]}
 * </pre>
 *
 * <p>The cursor is the id of the last order of the previous page (keyset pagination); {@code limit}
 * is 1 to 500, default 100. {@code /totals} counts the good orders only: what a correct import ends
 * up with.
 *
 * <p>Misbehaviour, all deterministic by {@link Config#seed()} except the rate limit, which depends
 * on the clock:
 *
 * <ul>
 *   <li>a token bucket over every endpoint ({@link Config#pagesPerSecond()} a second, bursts of
 *       {@link Config#burst()}): past it, {@code 429} with {@code Retry-After: 1};
 *   <li>about {@link Config#errorRate()} of the pages answer {@code 500} to their first one or two
 *       requests, and one in {@link Config#outageEvery()} of those to their first four (an outage
 *       that outlasts a handler's own retries);
 *   <li>about {@link Config#slowRate()} of the pages take 200 to 400 ms;
 *   <li>about one order in {@link Config#brokenEvery()} is broken for good: no amount, or no
 *       customer.
 * </ul>
 *
 * <p>Thread-safe; {@link #close()} stops the server.
 */
final class DemoUpstream implements AutoCloseable {
  /** Every order falls in this year, so the report is {@code offload-demo-report-2024.csv}. */
  static final int YEAR = 2024;

  static final int MAX_LIMIT = 500;

  /**
   * The default seed, picked so that small runs show every kind of trouble: with pages of 100, the
   * first 1,500 orders hold two broken ones and a page whose outage outlasts a handler's retries.
   */
  static final long SEED = 14;

  private static final int DEFAULT_LIMIT = 100;

  /**
   * How the upstream behaves.
   *
   * @param orders how many orders it has, 1 to {@value DemoCommand#MAX_ORDERS}
   * @param seed what the orders and the failures are derived from
   * @param pagesPerSecond the rate limit: requests a second, on average
   * @param burst how many requests may come at once before the limit bites
   * @param errorRate the share of pages that answer 500 at first
   * @param outageEvery one in this many failing pages fails four times in a row
   * @param slowRate the share of pages that take 200 to 400 ms
   * @param brokenEvery about one order in this many is broken
   */
  record Config(
      int orders,
      long seed,
      double pagesPerSecond,
      int burst,
      double errorRate,
      int outageEvery,
      double slowRate,
      int brokenEvery) {
    Config {
      if (orders < 1 || orders > Demo.MAX_ORDERS) {
        throw new IllegalArgumentException(
            "orders must be between 1 and " + Demo.MAX_ORDERS + ", got " + orders);
      }
      if (!(pagesPerSecond > 0) || burst < 1 || outageEvery < 1 || brokenEvery < 1) {
        throw new IllegalArgumentException(
            "rate, burst, outageEvery and brokenEvery must be positive");
      }
    }

    /**
     * The demo's upstream: 25 requests a second in bursts of up to 20 (a little slower than the
     * sync can fetch, so it meets the limit), ~3 % failing and ~3 % slow pages, 1 in 1,000 orders
     * broken.
     */
    static Config of(int orders) {
      return new Config(orders, SEED, 25, 20, 0.03, 5, 0.03, 1_000);
    }
  }

  /** One order as the upstream has it; a broken one lacks its amount or its customer. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Order(String id, String customer, String month, Long amountCents) {}

  private final Config config;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, AtomicInteger> pageRequests = new ConcurrentHashMap<>();
  private final List<MonthTotal> totals;
  private final List<String> broken;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong limited = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong slow = new AtomicLong();
  private double tokens;
  private long refilledNanos = System.nanoTime();

  private DemoUpstream(Config config) throws IOException {
    this.config = config;
    this.tokens = config.burst();
    Map<String, long[]> months = new TreeMap<>();
    List<String> brokenIds = new ArrayList<>();
    for (int i = 0; i < config.orders(); i++) {
      Order o = order(i);
      if (o.amountCents() == null || o.customer() == null) {
        brokenIds.add(o.id());
      } else {
        long[] t = months.computeIfAbsent(o.month(), m -> new long[2]);
        t[0]++;
        t[1] += o.amountCents();
      }
    }
    List<MonthTotal> t = new ArrayList<>();
    months.forEach((m, v) -> t.add(new MonthTotal(m, v[0], v[1])));
    this.totals = List.copyOf(t);
    this.broken = List.copyOf(brokenIds);
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Starts an upstream on a free port of 127.0.0.1. */
  static DemoUpstream start(Config config) {
    try {
      DemoUpstream upstream = new DemoUpstream(config);
      upstream.server.start();
      return upstream;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start the simulated upstream on 127.0.0.1: " + e.getMessage(), e);
    }
  }

  Config config() {
    return config;
  }

  /** {@code http://127.0.0.1:PORT}. */
  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The ids of the broken orders, in order. */
  List<String> brokenOrders() {
    return broken;
  }

  /** The good orders per month, in month order. */
  List<MonthTotal> totals() {
    return totals;
  }

  /** Requests answered so far: all, 429, 500 and slow. */
  record Counts(long requests, long rateLimited, long failed, long slow) {}

  Counts counts() {
    return new Counts(requests.get(), limited.get(), failed.get(), slow.get());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------- the data

  static String orderId(int index) {
    return String.format("O-%06d", index + 1);
  }

  /** The order at {@code index}, derived from the seed alone. */
  Order order(int index) {
    long h = mix(config.seed() * 0x9E3779B97F4A7C15L + index);
    String id = orderId(index);
    String customer = String.format("C-%04d", 1 + Math.floorMod(h, 4_000));
    String month = String.format("%d-%02d", YEAR, 1 + Math.floorMod(h >>> 13, 12));
    long amount = 500 + Math.floorMod(h >>> 21, 49_500);
    long h2 = mix(h);
    if (Math.floorMod(h2, config.brokenEvery()) == 0) {
      return (h2 & (1L << 40)) == 0
          ? new Order(id, customer, month, null)
          : new Order(id, null, month, amount);
    }
    return new Order(id, customer, month, amount);
  }

  private static int indexOf(String id) {
    if (id == null || !id.matches("O-\\d{6}")) {
      return -1;
    }
    return Integer.parseInt(id.substring(2)) - 1;
  }

  /** SplitMix64's finalizer: a well-spread hash of {@code z}. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A number in [0, 1) derived from the seed, a page and a purpose. */
  private double chance(String page, int purpose) {
    long h = mix(config.seed() ^ mix(page.hashCode() * 31L + purpose));
    return (h >>> 11) * 0x1.0p-53;
  }

  // ---------------------------------------------------------------- HTTP

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      requests.incrementAndGet();
      if (!"GET".equals(ex.getRequestMethod())) {
        send(ex, 405, error("only GET"));
        return;
      }
      if (!takeToken()) {
        limited.incrementAndGet();
        ex.getResponseHeaders().set("Retry-After", "1");
        send(
            ex,
            429,
            error(
                "rate limit of " + (int) config.pagesPerSecond() + " requests a second exceeded"));
        return;
      }
      String path = ex.getRequestURI().getPath();
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      if (path.equals("/orders")) {
        orders(ex, query);
      } else if (path.startsWith("/orders/")) {
        one(ex, path.substring("/orders/".length()));
      } else if (path.equals("/totals")) {
        send(ex, 200, totalsJson());
      } else {
        send(ex, 404, error("no such resource: " + path));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void orders(HttpExchange ex, Map<String, String> query)
      throws IOException, InterruptedException {
    String cursor = query.getOrDefault("cursor", "");
    int after = cursor.isEmpty() ? -1 : indexOf(cursor);
    int start = after + 1;
    if (!cursor.isEmpty() && (after < 0 || start > config.orders())) {
      send(ex, 400, error("cursor '" + cursor + "' is not one this API returned"));
      return;
    }
    int limit;
    try {
      limit = Integer.parseInt(query.getOrDefault("limit", String.valueOf(DEFAULT_LIMIT)));
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      send(ex, 400, error("limit must be between 1 and " + MAX_LIMIT));
      return;
    }
    String page = cursor + "/" + limit;
    if (misbehave(ex, page)) {
      return;
    }
    int end = Math.min(config.orders(), start + limit);
    ObjectNode body = json.createObjectNode();
    ArrayNode list = body.putArray("orders");
    for (int i = start; i < end; i++) {
      list.add(json.valueToTree(order(i)));
    }
    body.put("next", end < config.orders() ? orderId(end - 1) : null);
    send(ex, 200, body);
  }

  private void one(HttpExchange ex, String id) throws IOException, InterruptedException {
    int index = indexOf(URLDecoder.decode(id, StandardCharsets.UTF_8));
    if (index < 0 || index >= config.orders()) {
      send(ex, 404, error("no order " + id));
      return;
    }
    if (misbehave(ex, "order/" + id)) {
      return;
    }
    ObjectNode body = json.createObjectNode();
    body.set("order", json.valueToTree(order(index)));
    send(ex, 200, body);
  }

  /**
   * How a page (or an order) behaves: its first {@code failures} requests answer 500, and every
   * answer takes {@code delayMs}.
   */
  record Fate(int failures, long delayMs) {}

  /**
   * The fate of {@code /orders?cursor=C&limit=L} is {@code fate("C/L")}, of {@code /orders/ID}
   * {@code fate("order/ID")}.
   */
  Fate fate(String page) {
    double c = chance(page, 1);
    int failures = 0;
    if (c < config.errorRate()) {
      failures =
          chance(page, 2) < 1.0 / config.outageEvery() ? 4 : c < config.errorRate() / 2 ? 2 : 1;
    }
    double s = chance(page, 3);
    long delay = s < config.slowRate() ? 200 + (long) (s / config.slowRate() * 200) : 0;
    return new Fate(failures, delay);
  }

  /** Answers 500 (and returns true) when the page is failing now; sleeps first when it is slow. */
  private boolean misbehave(HttpExchange ex, String page) throws IOException, InterruptedException {
    Fate fate = fate(page);
    if (fate.failures() > 0) {
      int n = pageRequests.computeIfAbsent(page, p -> new AtomicInteger()).incrementAndGet();
      if (n <= fate.failures()) {
        failed.incrementAndGet();
        send(ex, 500, error("internal error (simulated); try again"));
        return true;
      }
    }
    if (fate.delayMs() > 0) {
      slow.incrementAndGet();
      Thread.sleep(fate.delayMs());
    }
    return false;
  }

  private synchronized boolean takeToken() {
    long now = System.nanoTime();
    tokens =
        Math.min(config.burst(), tokens + (now - refilledNanos) / 1e9 * config.pagesPerSecond());
    refilledNanos = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  private ObjectNode totalsJson() {
    ObjectNode body = json.createObjectNode();
    body.put("year", YEAR);
    body.put("orders", totals.stream().mapToLong(MonthTotal::orders).sum());
    body.put("amountCents", totals.stream().mapToLong(MonthTotal::amountCents).sum());
    ArrayNode months = body.putArray("months");
    totals.forEach(t -> months.add(json.valueToTree(t)));
    return body;
  }

  private ObjectNode error(String message) {
    return json.createObjectNode().put("error", message);
  }

  private void send(HttpExchange ex, int status, ObjectNode body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String part : raw.split("&")) {
      int eq = part.indexOf('=');
      String k = eq < 0 ? part : part.substring(0, eq);
      String v = eq < 0 ? "" : part.substring(eq + 1);
      q.put(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return q;
  }
}
