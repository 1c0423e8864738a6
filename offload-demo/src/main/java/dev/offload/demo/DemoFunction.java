package dev.offload.demo;

import dev.offload.push.PushReceiver;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A simulated serverless function platform on 127.0.0.1: each call runs a {@link PushReceiver} on a
 * thread of its own and is cut off hard after {@link #limit} (the thread interrupted, the call
 * answered 504 "Task timed out", as AWS Lambda does), whatever the handler is doing. The receiver
 * knows the limit ({@code invocationLimit}), so its handlers yield before it.
 */
final class DemoFunction implements AutoCloseable {
  private final Server server;
  private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
  private final PushReceiver receiver;
  private final Duration limit;
  private final AtomicInteger invocations = new AtomicInteger();
  private final AtomicInteger cutOff = new AtomicInteger();
  final URI url;

  private DemoFunction(PushReceiver receiver, Duration limit) throws Exception {
    this.receiver = receiver;
    this.limit = limit;
    server = new Server(new InetSocketAddress("127.0.0.1", 0));
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(new ServletHolder(new Platform()), "/fn");
    server.setHandler(context);
    server.start();
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    url = URI.create("http://127.0.0.1:" + port + "/fn");
  }

  /** Starts the platform with {@code receiver} as its function. */
  static DemoFunction start(PushReceiver receiver, Duration limit) {
    try {
      return new DemoFunction(receiver, limit);
    } catch (Exception e) {
      throw new IllegalStateException("could not start the simulated function: " + e, e);
    }
  }

  int invocations() {
    return invocations.get();
  }

  /** Calls the platform cut off at its limit. */
  int cutOff() {
    return cutOff.get();
  }

  /** The platform: one call, one thread, cut off at the limit. */
  private final class Platform extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      invocations.incrementAndGet();
      String signature = request.getHeader("Offload-Signature");
      byte[] body = request.getInputStream().readAllBytes();
      Future<PushReceiver.Answer> call = calls.submit(() -> receiver.handle(signature, body));
      PushReceiver.Answer answer;
      try {
        answer = call.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        call.cancel(true);
        cutOff.incrementAndGet();
        answer =
            new PushReceiver.Answer(
                504,
                java.util.Map.of(),
                "text/plain",
                "Task timed out after " + limit.toSeconds() + " seconds");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        call.cancel(true);
        throw new IOException("the platform is stopping", e);
      } catch (ExecutionException e) {
        answer = new PushReceiver.Answer(502, java.util.Map.of(), "text/plain", "function crashed");
      }
      response.setStatus(answer.status());
      answer.headers().forEach(response::setHeader);
      response.setContentType(answer.contentType());
      response.getOutputStream().write(answer.body().getBytes(StandardCharsets.UTF_8));
    }
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      // stopping anyway
    }
    calls.shutdownNow();
    receiver.destroy();
  }
}
