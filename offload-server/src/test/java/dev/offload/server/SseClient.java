package dev.offload.server;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Reads a Server-Sent Events stream as a browser's EventSource parses it: events with their id,
 * name and data, and the comments in between. Reading stops at the end of the stream, when {@code
 * until} accepts an event, or at the timeout (which fails).
 */
final class SseClient {
  record Event(String id, String event, String data) {}

  record Result(
      int status, String contentType, List<Event> events, List<String> comments, boolean ended) {}

  private SseClient() {}

  static Result read(
      HttpClient http, HttpRequest request, Predicate<Event> until, long timeoutMillis)
      throws Exception {
    return read(http, request, until, c -> false, timeoutMillis);
  }

  static Result read(
      HttpClient http,
      HttpRequest request,
      Predicate<Event> until,
      Predicate<String> untilComment,
      long timeoutMillis)
      throws Exception {
    HttpResponse<Stream<String>> res = http.send(request, HttpResponse.BodyHandlers.ofLines());
    List<Event> events = new ArrayList<>();
    List<String> comments = new ArrayList<>();
    if (res.statusCode() != 200) {
      res.body().close();
      return new Result(
          res.statusCode(),
          res.headers().firstValue("Content-Type").orElse(null),
          events,
          comments,
          true);
    }
    CompletableFuture<Boolean> reading =
        CompletableFuture.supplyAsync(() -> {
          try (Stream<String> lines = res.body()) {
            String id = null;
            String event = null;
            StringBuilder data = null;
            for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
              String line = it.next();
              if (line.isEmpty()) {
                if (data != null) {
                  Event e = new Event(id, event == null ? "message" : event, data.toString());
                  synchronized (events) {
                    events.add(e);
                  }
                  if (until.test(e)) {
                    return false;
                  }
                }
                event = null;
                data = null;
              } else if (line.startsWith(":")) {
                String comment = line.substring(1).trim();
                synchronized (comments) {
                  comments.add(comment);
                }
                if (untilComment.test(comment)) {
                  return false;
                }
              } else if (line.startsWith("id:")) {
                id = line.substring(3).trim();
              } else if (line.startsWith("event:")) {
                event = line.substring(6).trim();
              } else if (line.startsWith("data:")) {
                String d =
                    line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5);
                data = data == null ? new StringBuilder(d) : data.append('\n').append(d);
              }
            }
            return true;
          }
        });
    boolean ended = reading.get(timeoutMillis, TimeUnit.MILLISECONDS);
    return new Result(
        200, res.headers().firstValue("Content-Type").orElse(null), events, comments, ended);
  }

  static Result readToEnd(HttpClient http, HttpRequest request, long timeoutMillis)
      throws Exception {
    return read(http, request, e -> false, timeoutMillis);
  }
}
