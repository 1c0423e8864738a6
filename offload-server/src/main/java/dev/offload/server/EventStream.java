package dev.offload.server;

import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One Server-Sent Events response, written by the request's own (virtual) thread only: events with
 * increasing {@code id:} lines, and comments as heartbeats. Writes go straight to the servlet
 * stream and are flushed one by one, so nothing (compression, buffers) holds an event back.
 *
 * <p>Ids continue from the client's {@code Last-Event-ID}, so a reconnecting {@code EventSource}
 * sees them keep increasing.
 */
final class EventStream {
  /** How long a browser waits before it reconnects a dropped stream. */
  static final int RETRY_MILLIS = 2_000;

  private final OutputStream out;
  private long nextId;

  private EventStream(OutputStream out, long firstId) {
    this.out = out;
    this.nextId = firstId;
  }

  /** Commits the response as an event stream. */
  static EventStream open(Context ctx) throws IOException {
    HttpServletResponse res = ctx.res();
    res.setStatus(200);
    res.setContentType("text/event-stream");
    res.setCharacterEncoding("UTF-8");
    res.setHeader("Cache-Control", "no-cache, no-store");
    // nginx buffers proxied responses unless told not to.
    res.setHeader("X-Accel-Buffering", "no");
    EventStream stream = new EventStream(res.getOutputStream(), lastEventId(ctx) + 1);
    stream.write("retry: " + RETRY_MILLIS + "\n\n");
    return stream;
  }

  /**
   * The largest {@code Last-Event-ID} continued from; a larger one (or one that is not a whole
   * number) is ignored and the ids start again at 1, so they never overflow.
   */
  static final long MAX_LAST_EVENT_ID = 1L << 52;

  /** The {@code Last-Event-ID} a reconnecting client sent (or {@code ?lastEventId=}), else 0. */
  static long lastEventId(Context ctx) {
    String v = ctx.header("Last-Event-ID");
    if (v == null) {
      v = ctx.queryParam("lastEventId");
    }
    if (v == null || v.isBlank() || v.length() > 19) {
      return 0;
    }
    try {
      long id = Long.parseLong(v.trim());
      return id < 0 || id > MAX_LAST_EVENT_ID ? 0 : id;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Sends one event whose data is a single line (JSON as the mapper writes it has no newlines). */
  void send(String event, String data) throws IOException {
    StringBuilder b = new StringBuilder(data.length() + 48);
    b.append("id: ").append(nextId++).append('\n');
    b.append("event: ").append(event).append('\n');
    for (String line : data.split("\n", -1)) {
      b.append("data: ").append(line).append('\n');
    }
    b.append('\n');
    write(b.toString());
  }

  /** A comment line, which clients ignore: keeps proxies from closing an idle stream. */
  void comment(String text) throws IOException {
    write(": " + text + "\n\n");
  }

  /** Ends the response: a chunked one gets its final chunk, so the client sees a clean end. */
  void end() {
    try {
      out.close();
    } catch (IOException e) {
      // The client went away: there is nothing left to end.
    }
  }

  private void write(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
