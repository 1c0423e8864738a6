package dev.offload.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A {@link PushReceiver} in a real servlet container (embedded Jetty 12 on loopback, port 0), and a
 * client that sends pushes as Offload's dispatcher does: signed with its own HMAC code, so the test
 * checks the wire format rather than the receiver's code against itself.
 */
final class ReceiverServer implements AutoCloseable {
  static final String SECRET = "whsec-test-0123456789abcdef";
  static final ObjectMapper JSON = new ObjectMapper();

  private final Server server;
  private final PushReceiver receiver;
  private final HttpClient http = HttpClient.newHttpClient();
  final URI url;

  ReceiverServer(PushReceiver receiver) throws Exception {
    this.receiver = receiver;
    server = new Server(new InetSocketAddress("127.0.0.1", 0));
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(new ServletHolder(receiver), "/offload/push");
    server.setHandler(context);
    server.start();
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    url = URI.create("http://127.0.0.1:" + port + "/offload/push");
  }

  /** A push body for job {@code id} of {@code kind} whose deadline is {@code deadline}. */
  static ObjectNode body(long id, String kind, Object args, Instant deadline) {
    ObjectNode body = JSON.createObjectNode();
    body.put("id", id);
    body.put("kind", kind);
    body.set("args", JSON.valueToTree(args));
    body.put("attempt", 1);
    body.put("maxAttempts", 20);
    body.putNull("checkpoint");
    body.put("deadline", deadline.toString());
    body.put("jobToken", "job-token-" + id);
    return body;
  }

  HttpResponse<String> push(JsonNode body) throws Exception {
    return push(body, SECRET, Instant.now().getEpochSecond());
  }

  HttpResponse<String> push(JsonNode body, String secret, long t) throws Exception {
    byte[] bytes = JSON.writeValueAsBytes(body);
    return send(bytes, signature(secret, t, bytes));
  }

  HttpResponse<String> send(byte[] bytes, String signatureHeader) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    if (signatureHeader != null) {
      request.header("Offload-Signature", signatureHeader);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get() throws Exception {
    return http.send(
        HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static String signature(String secret, long t, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
    return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  @Override
  public void close() throws Exception {
    server.stop();
    receiver.destroy();
  }
}
