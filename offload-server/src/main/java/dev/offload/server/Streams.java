package dev.offload.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open event streams, each served by its request's own thread and waiting on its {@link Inbox},
 * so that stopping the server ends them at once (each finishes its response cleanly) instead of at
 * their next heartbeat or by a cut connection.
 */
final class Streams {
  private final Set<Registration> open = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  /** Registers a stream whose thread waits on {@code inbox}, until the registration is closed. */
  Registration register(Inbox<?> inbox) {
    Registration r = new Registration(inbox);
    open.add(r);
    if (stopping) {
      inbox.wake();
    }
    return r;
  }

  /**
   * Wakes every stream to end, and waits up to {@code grace} for them to finish their responses.
   */
  void stopAll(Duration grace) {
    stopping = true;
    open.forEach(r -> r.inbox.wake());
    long deadline = System.nanoTime() + grace.toNanos();
    while (!open.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  int open() {
    return open.size();
  }

  final class Registration implements AutoCloseable {
    private final Inbox<?> inbox;
    private EventStream stream;

    private Registration(Inbox<?> inbox) {
      this.inbox = inbox;
    }

    boolean stopping() {
      return stopping;
    }

    /** Commits the response as this registration's event stream, which {@link #close} ends. */
    EventStream open(Context ctx) throws IOException {
      stream = EventStream.open(ctx);
      return stream;
    }

    /**
     * Ends the response (its final chunk written) before the stream counts as closed: {@link
     * #stopAll} returns once no stream is open, and the server then stops Jetty, which would cut a
     * response still being finished.
     */
    @Override
    public void close() {
      try {
        if (stream != null) {
          stream.end();
        }
      } finally {
        open.remove(this);
      }
    }
  }
}
