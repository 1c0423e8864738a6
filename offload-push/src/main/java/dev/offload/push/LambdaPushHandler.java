package dev.offload.push;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.internal.Json;
import dev.offload.push.PushReceiver.Answer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Runs pushes in an AWS Lambda function behind a function URL (or an API Gateway HTTP API, payload
 * format 2.0): the same checks, handlers and answers as {@link PushReceiver}, without a servlet
 * container. Subclass it with a public no-argument constructor and name it as the function's
 * handler ({@code com.example.OrdersFunction::handleRequest}):
 *
 * <pre>{@code
 * public class OrdersFunction extends LambdaPushHandler {
 *   public OrdersFunction() {
 *     super(LambdaPushHandler.builder()
 *         .secret(System.getenv("OFFLOAD_PUSH_SECRET"))
 *         .register("orders.sync", SyncArgs.class, new SyncOrders()));
 *   }
 * }
 * }</pre>
 *
 * <p>The handler's deadline is the earlier of Offload's and the function's own end ({@link
 * Context#getRemainingTimeInMillis()}), so {@code ctx.shouldYield()} turns true before Lambda cuts
 * the call off. Needs {@code com.amazonaws:aws-lambda-java-core} (which every Java function has);
 * the servlet API is not used.
 */
public abstract class LambdaPushHandler implements RequestStreamHandler {
  private final PushRunner runner;

  /**
   * A handler that runs the pushes with what {@code builder} registered.
   *
   * @param builder the handlers and options, from {@link #builder()}
   * @throws IllegalStateException naming the option that is missing or wrong
   */
  protected LambdaPushHandler(PushReceiver.Builder builder) {
    this.runner = builder.runner();
  }

  /**
   * A new builder, as {@link PushReceiver#builder()} gives, that does not load the servlet API
   * (which a function does not have).
   *
   * @return the builder
   */
  public static PushReceiver.Builder builder() {
    return new PushReceiver.Builder();
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, @Nullable Context context)
      throws IOException {
    Answer answer = answer(input.readAllBytes(), context);
    ObjectNode response = Json.object();
    response.put("statusCode", answer.status());
    ObjectNode headers = response.putObject("headers");
    headers.put("Content-Type", answer.contentType());
    answer.headers().forEach(headers::put);
    response.put("body", answer.body());
    response.put("isBase64Encoded", false);
    output.write(Json.write(response).getBytes(StandardCharsets.UTF_8));
    output.flush();
  }

  private Answer answer(byte[] eventBytes, @Nullable Context context) {
    JsonNode event;
    try {
      event = Json.parse(eventBytes);
    } catch (Exception e) {
      event = null;
    }
    if (event == null || !event.isObject() || !event.has("body")) {
      return PushRunner.problem(
          400, "Not an HTTP event", "the function was not invoked through a function URL", null);
    }
    String method = event.path("requestContext").path("http").path("method").asText("");
    if (method.isEmpty()) {
      method = event.path("httpMethod").asText("POST"); // API Gateway's REST payload
    }
    if (!method.equalsIgnoreCase("POST")) {
      return PushRunner.problem(405, "Method Not Allowed", "pushes are POSTed", null);
    }
    String text = event.path("body").asText("");
    byte[] body =
        event.path("isBase64Encoded").asBoolean(false)
            ? Base64.getDecoder().decode(text)
            : text.getBytes(StandardCharsets.UTF_8);
    Instant mustEndBy =
        context == null
            ? null
            : runner.clock().instant().plusMillis(context.getRemainingTimeInMillis());
    return runner.handle(header(event.path("headers"), PushSignature.HEADER), body, mustEndBy);
  }

  /** A header of the event, whatever its case (function URLs lower-case names; REST does not). */
  private static @Nullable String header(JsonNode headers, String name) {
    for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> h = it.next();
      if (h.getKey().equalsIgnoreCase(name)) {
        return h.getValue().asText();
      }
    }
    return null;
  }
}
