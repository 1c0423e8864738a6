package dev.offload.server;

import dev.offload.JobQuery;
import dev.offload.Offload;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code GET /health}: 200 {@code {"status": "up", "store": "reachable", ...}} when a cheap read
 * of the store (the newest job) answers within {@link #TIMEOUT}, else 503 {@code {"status":
 * "down", "store": "unreachable", "detail": ...}}. Needs no token, so load balancers can call it;
 * it shows no job data.
 */
final class Health {
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final Offload offload;

  Health(Offload offload) {
    this.offload = offload;
  }

  void handle(Context ctx) throws InterruptedException {
    long start = System.nanoTime();
    Map<String, Object> doc = new LinkedHashMap<>();
    CompletableFuture<Object> read = new CompletableFuture<>();
    // On a thread of its own: a store that hangs must not hang the health check with it.
    Thread.ofVirtual().name("offload-health").start(() -> {
      try {
        read.complete(offload.jobs(JobQuery.all().limit(1)));
      } catch (Throwable t) {
        read.completeExceptionally(t);
      }
    });
    try {
      read.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      doc.put("status", "up");
      doc.put("store", "reachable");
      doc.put("storeLatencyMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      doc.put("node", offload.node());
      Http.json(ctx, 200, doc);
    } catch (TimeoutException e) {
      down(ctx, doc, "the store did not answer within " + TIMEOUT.toSeconds() + " s");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      down(ctx, doc, "the store cannot be read: " + e.getCause().getMessage()
          + (cause != e.getCause() ? " (" + cause.getMessage() + ")" : ""));
    }
  }

  private void down(Context ctx, Map<String, Object> doc, String detail) {
    doc.put("status", "down");
    doc.put("store", "unreachable");
    doc.put("detail", detail);
    doc.put("node", offload.node());
    Http.json(ctx, 503, doc);
  }
}
