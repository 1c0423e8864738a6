package dev.offload.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for Offload's {@code POST /api/jobs/{id}/progress}: a JDK HTTP server on loopback that
 * records each call's bearer token and body and answers {@link #status}.
 */
final class ProgressEndpoint implements AutoCloseable {
  record Call(String authorization, JsonNode body) {}

  final List<Call> calls = new CopyOnWriteArrayList<>();
  final AtomicInteger status = new AtomicInteger(200);
  private final HttpServer server;

  ProgressEndpoint() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          calls.add(
              new Call(
                  exchange.getRequestHeaders().getFirst("Authorization"),
                  ReceiverServer.JSON.readTree(body)));
          exchange.sendResponseHeaders(status.get(), -1);
          exchange.close();
        });
    server.start();
  }

  String url(long jobId) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/jobs/" + jobId + "/progress";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
