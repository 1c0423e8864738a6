package dev.offload.server;

import dev.offload.internal.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty answers itself, before a request reaches the routes (a URI it cannot parse,
 * 414, 431, a body over the limit), written as {@code application/problem+json} like every other
 * error, instead of Jetty's HTML page. A 5xx here is logged with an error id and answered with only
 * that id.
 */
final class JettyErrors extends ErrorHandler {
  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback)
      throws IOException {
    Problem problem;
    String instance = path(request);
    if (code >= 500) {
      String errorId = ErrorIds.next();
      ErrorIds.log(
          errorId, request.getMethod() + " " + instance + " (" + code + " " + message + ")", cause);
      problem =
          Problem.failure(
              code,
              "the server failed to answer this request; the server's log has the cause"
                  + " under error id "
                  + errorId,
              instance,
              errorId);
    } else {
      problem = Problem.of(code, detail(code, message), instance, null);
    }
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
    response.write(
        true, ByteBuffer.wrap(Json.write(problem).getBytes(StandardCharsets.UTF_8)), callback);
  }

  private static String detail(int code, String message) {
    return switch (code) {
      case 414 -> "the request's URI is too long";
      case 431 -> "the request's header fields are too large";
      case 413 -> "the request body is too large";
      default -> message == null || message.isBlank() ? Problem.title(code) : message;
    };
  }

  /** The request path, if it could be read and is short enough to repeat. */
  private static String path(Request request) {
    try {
      String path = request.getHttpURI().getPath();
      return path == null || path.length() > 200 ? null : path;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
