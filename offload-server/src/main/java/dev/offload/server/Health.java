package dev.offload.server;

import dev.offload.Offload;
import dev.offload.Offload.NodeHealth;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code GET /health}: a cheap check of the store (one round trip that reads no table, {@link
 * Offload#ping()}) and of this node's engine (workers running, notifier connected, read from
 * memory). 200 with {@code {"status": "up", "store": "reachable", "workers": "running"|"off",
 * "notifier": "connected", ...}}; 503 with {@code "status": "down"} when the store does not answer
 * within {@link #TIMEOUT}, the workers were started and are down, or the notifier lost its
 * connection. Needs no token, so load balancers can call it; it shows no job data and no store
 * internals (a store failure is logged under an error id, which the answer carries).
 */
final class Health {
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final Offload offload;

  Health(Offload offload) {
    this.offload = offload;
  }

  void handle(Context ctx) throws InterruptedException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("status", "up");
    NodeHealth node = offload.health();
    long start = System.nanoTime();
    CompletableFuture<Void> ping = new CompletableFuture<>();
    // On a thread of its own: a store that hangs must not hang the health check with it.
    Thread.ofVirtual()
        .name("offload-health")
        .start(() -> {
          try {
            offload.ping();
            ping.complete(null);
          } catch (Throwable t) {
            ping.completeExceptionally(t);
          }
        });
    boolean up = node.up();
    try {
      ping.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      doc.put("store", "reachable");
      doc.put("storeLatencyMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    } catch (TimeoutException e) {
      up = false;
      doc.put("store", "unreachable");
      doc.put("detail", "the store did not answer within " + TIMEOUT.toSeconds() + " s");
    } catch (ExecutionException e) {
      up = false;
      String errorId = ErrorIds.next();
      ErrorIds.log(errorId, "GET /health: pinging the store", e.getCause());
      doc.put("store", "unreachable");
      doc.put(
          "detail",
          "the store cannot be reached; the server's log has the cause under error id " + errorId);
      doc.put("errorId", errorId);
    }
    doc.put("workers", node.workers().wireName());
    doc.put("notifier", node.notifierConnected() ? "connected" : "disconnected");
    doc.put("node", node.node());
    if (!up) {
      doc.put("status", "down");
    }
    Http.json(ctx, up ? 200 : 503, doc);
  }
}
