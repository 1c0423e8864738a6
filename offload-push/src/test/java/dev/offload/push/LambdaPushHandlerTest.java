package dev.offload.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The Lambda adapter, fed function-URL events (payload format 2.0) as the Java runtime feeds a
 * {@code RequestStreamHandler}, with a runtime context that says how long the function has left.
 */
class LambdaPushHandlerTest {
  record Greet(String name) {}

  static final AtomicReference<Instant> deadline = new AtomicReference<>();

  /** A function as a user writes one: a public no-argument constructor passing the builder. */
  public static final class GreetFunction extends LambdaPushHandler {
    public GreetFunction() {
      super(
          LambdaPushHandler.builder()
              .secret(ReceiverServer.SECRET)
              .register(
                  "greet",
                  Greet.class,
                  (args, ctx) -> {
                    deadline.set(ctx.deadline().orElseThrow());
                    return "hello " + args.name();
                  }));
    }
  }

  /** The runtime's context: only the remaining time matters here. */
  record RuntimeContext(int remainingMillis) implements Context {
    @Override
    public int getRemainingTimeInMillis() {
      return remainingMillis;
    }

    @Override
    public String getAwsRequestId() {
      return "req-1";
    }

    @Override
    public String getLogGroupName() {
      return "/aws/lambda/greet";
    }

    @Override
    public String getLogStreamName() {
      return "stream";
    }

    @Override
    public String getFunctionName() {
      return "greet";
    }

    @Override
    public String getFunctionVersion() {
      return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
      return "arn:aws:lambda:eu-west-1:000000000000:function:greet";
    }

    @Override
    public CognitoIdentity getIdentity() {
      return null;
    }

    @Override
    public ClientContext getClientContext() {
      return null;
    }

    @Override
    public int getMemoryLimitInMB() {
      return 512;
    }

    @Override
    public LambdaLogger getLogger() {
      return null;
    }
  }

  private static ObjectNode event(byte[] body, String signature, boolean base64) {
    ObjectNode event = ReceiverServer.JSON.createObjectNode();
    event.put("version", "2.0");
    event.put("rawPath", "/");
    event.putObject("requestContext").putObject("http").put("method", "POST");
    ObjectNode headers = event.putObject("headers");
    headers.put("content-type", "application/json");
    if (signature != null) {
      headers.put("offload-signature", signature); // function URLs lower-case header names
    }
    event.put(
        "body",
        base64
            ? Base64.getEncoder().encodeToString(body)
            : new String(body, StandardCharsets.UTF_8));
    event.put("isBase64Encoded", base64);
    return event;
  }

  private static JsonNode invoke(ObjectNode event, int remainingMillis) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new GreetFunction()
        .handleRequest(
            new ByteArrayInputStream(ReceiverServer.JSON.writeValueAsBytes(event)),
            out,
            new RuntimeContext(remainingMillis));
    return ReceiverServer.JSON.readTree(out.toByteArray());
  }

  @Test
  void aSignedPushRunsTheHandlerWithTheFunctionsRemainingTimeAsItsDeadline() throws Exception {
    Instant offloadDeadline = Instant.now().plusSeconds(900);
    byte[] body =
        ReceiverServer.JSON.writeValueAsBytes(
            ReceiverServer.body(8, "greet", new Greet("Lambda"), offloadDeadline));
    Instant before = Instant.now();
    JsonNode response =
        invoke(
            event(
                body,
                ReceiverServer.signature(ReceiverServer.SECRET, before.getEpochSecond(), body),
                true),
            3_000);
    assertThat(response.get("statusCode").asInt()).isEqualTo(200);
    assertThat(response.get("headers").get("Content-Type").asText()).isEqualTo("application/json");
    assertThat(response.get("body").asText()).isEqualTo("\"hello Lambda\"");
    // The function ends in 3 s, long before Offload's 15 minutes: that is the handler's deadline.
    assertThat(deadline.get()).isAfterOrEqualTo(before.plusMillis(3_000));
    assertThat(deadline.get()).isBefore(offloadDeadline);
  }

  @Test
  void aBadSignatureIs401AndAGetIs405() throws Exception {
    byte[] body =
        ReceiverServer.JSON.writeValueAsBytes(
            ReceiverServer.body(9, "greet", new Greet("x"), Instant.now().plusSeconds(60)));
    String wrong =
        ReceiverServer.signature("another-secret-0123456789", Instant.now().getEpochSecond(), body);
    assertThat(invoke(event(body, wrong, false), 3_000).get("statusCode").asInt()).isEqualTo(401);
    ObjectNode get =
        event(
            body,
            ReceiverServer.signature(ReceiverServer.SECRET, Instant.now().getEpochSecond(), body),
            false);
    ((ObjectNode) get.get("requestContext").get("http")).put("method", "GET");
    assertThat(invoke(get, 3_000).get("statusCode").asInt()).isEqualTo(405);
  }
}
