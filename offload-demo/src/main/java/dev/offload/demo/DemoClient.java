package dev.offload.demo;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.demo.DemoUpstream.Order;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The demo web app's client for the upstream order API ({@link DemoUpstream}), as an app would
 * write one: it maps {@code 429} to {@link RateLimited} (with the server's {@code Retry-After}) and
 * any other failure to {@link UpstreamException}, saying whether trying again may help. Retrying is
 * left to the caller. Thread-safe; {@link #close()} when done.
 */
final class DemoClient implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** One page of orders and the cursor of the next, null after the last. */
  record Page(List<Order> orders, String next) {}

  /** What {@code GET /totals} says: the good orders of the year, in all and per month. */
  record Totals(int year, long orders, long amountCents, List<MonthTotal> months) {}

  private record OneOrder(Order order) {}

  /** The upstream answered 429: try again after {@code retryAfter}. */
  static final class RateLimited extends RuntimeException {
    private final Duration retryAfter;

    RateLimited(Duration retryAfter) {
      super(
          "the upstream answered 429 Too Many Requests; retry after "
              + retryAfter.toSeconds()
              + " s",
          null,
          false,
          false);
      this.retryAfter = retryAfter;
    }

    Duration retryAfter() {
      return retryAfter;
    }
  }

  /**
   * The upstream failed: {@code transient} for a 5xx or a network error, which a retry may cure.
   */
  static final class UpstreamException extends IOException {
    private final boolean isTransient;

    UpstreamException(String message, boolean isTransient, Throwable cause) {
      super(message, cause);
      this.isTransient = isTransient;
    }

    boolean isTransient() {
      return isTransient;
    }
  }

  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final ObjectMapper json =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  DemoClient(URI base) {
    this.base = base;
  }

  /** {@code GET /orders}: the page after {@code cursor} (null for the first). */
  Page orders(String cursor, int limit) throws IOException, InterruptedException {
    String q =
        "limit="
            + limit
            + (cursor == null
                ? ""
                : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
    return get("/orders?" + q, Page.class);
  }

  /** {@code GET /orders/{id}}. */
  Order order(String id) throws IOException, InterruptedException {
    return get("/orders/" + URLEncoder.encode(id, StandardCharsets.UTF_8), OneOrder.class).order();
  }

  /** {@code GET /totals}. */
  Totals totals() throws IOException, InterruptedException {
    return get("/totals", Totals.class);
  }

  private <T> T get(String pathAndQuery, Class<T> type) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(TIMEOUT).GET().build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UpstreamException(
          "GET " + request.uri().getPath() + " failed: " + e, /* isTransient= */ true, e);
    }
    int status = response.statusCode();
    if (status == 429) {
      long seconds =
          response.headers().firstValue("Retry-After").map(DemoClient::seconds).orElse(1L);
      throw new RateLimited(Duration.ofSeconds(seconds));
    }
    if (status != 200) {
      throw new UpstreamException(
          "GET " + request.uri().getPath() + " answered HTTP " + status, status >= 500, null);
    }
    return json.readValue(response.body(), type);
  }

  /** Closes the HTTP client's connections and threads. */
  @Override
  public void close() {
    http.close();
  }

  private static long seconds(String retryAfter) {
    try {
      return Math.max(0, Long.parseLong(retryAfter.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
