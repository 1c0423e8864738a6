package dev.offload.push;

import dev.offload.internal.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the progress of running invocations to Offload ({@code POST progressUrl} with the job
 * token): at most once per interval per invocation, at once for a checkpoint, in the background on
 * the JDK's asynchronous {@link HttpClient}, one call in flight per invocation. A call that fails
 * is logged and its failed items and checkpoint go with the next one, unless it was refused for
 * good (another 4xx: then that invocation sends no more); it never fails the job. An answer of 409
 * or 410 means the attempt is over (the job was cancelled, or another attempt runs it): the
 * invocation's {@code isCancelled()} turns true.
 */
final class ProgressReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProgressReporter.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http;
  private final Duration interval;
  private final Set<PushInvocation> running = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker;

  ProgressReporter(HttpClient http, Duration interval) {
    this.http = http;
    this.interval = interval;
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "offload-push-progress");
          t.setDaemon(true);
          return t;
        });
    ticker.scheduleWithFixedDelay(
        this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  void started(PushInvocation invocation) {
    if (invocation.request().progressUrl() != null && invocation.request().jobToken() != null) {
      running.add(invocation);
    }
  }

  /**
   * Ends reporting for {@code invocation}: waits for its call in flight, then sends its failed
   * items and checkpoint if any wait, at most {@code wait} in all.
   */
  void finished(PushInvocation invocation, Duration wait) {
    if (!running.remove(invocation)) {
      return;
    }
    long until = System.nanoTime() + wait.toNanos();
    try {
      for (CompletableFuture<?> call = lastCall(invocation);
          call != null && System.nanoTime() < until;
          call = lastCall(invocation)) {
        call.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn(
          "could not send the last progress of job {} before answering: {}",
          invocation.request().id(),
          e.toString());
    }
  }

  /**
   * The call in flight, else one for the failed items and checkpoint not sent yet, else null. Under
   * the lock of {@link #send}, so a call a nudge starts meanwhile is seen.
   */
  private synchronized @Nullable CompletableFuture<?> lastCall(PushInvocation invocation) {
    CompletableFuture<?> call = invocation.inFlight;
    if (call != null && !call.isDone()) {
      return call;
    }
    return invocation.progress().hasPendingWrites() ? send(invocation) : null;
  }

  /** Sends a checkpoint now rather than at the next tick. */
  void nudge(PushInvocation invocation) {
    if (running.contains(invocation)) {
      ticker.execute(() -> send(invocation));
    }
  }

  private void tick() {
    for (PushInvocation invocation : running) {
      try {
        send(invocation);
      } catch (RuntimeException e) {
        log.warn("progress of job {} not sent: {}", invocation.request().id(), e.toString());
      }
    }
  }

  /** Starts a progress call for what changed, unless one is in flight; returns it, or null. */
  private synchronized @Nullable CompletableFuture<?> send(PushInvocation invocation) {
    CompletableFuture<?> previous = invocation.inFlight;
    if (previous != null && !previous.isDone()) {
      return previous;
    }
    PushProgress.Report report = invocation.progress().takeReport();
    String url = invocation.request().progressUrl();
    String token = invocation.request().jobToken();
    if (report == null || url == null || token == null) {
      return null;
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(CALL_TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(report.body())))
            .build();
    CompletableFuture<?> call =
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
            .handle((response, error) -> {
              if (error != null) {
                invocation.progress().giveBack(report);
                log.debug(
                    "progress of job {} not sent: {}", invocation.request().id(), error.toString());
              } else if (response.statusCode() == 409 || response.statusCode() == 410) {
                invocation.attemptOver();
              } else if (response.statusCode() >= 500 || response.statusCode() == 429) {
                invocation.progress().giveBack(report);
                log.debug(
                    "progress of job {} not taken yet: HTTP {}",
                    invocation.request().id(),
                    response.statusCode());
              } else if (response.statusCode() / 100 != 2) {
                // Sending more would be refused again (a bad token, a wrong URL): stop.
                running.remove(invocation);
                log.warn(
                    "progress of job {} refused with HTTP {}; this call sends no more progress",
                    invocation.request().id(),
                    response.statusCode());
              }
              return null;
            });
    invocation.inFlight = call;
    return call;
  }

  Duration interval() {
    return interval;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
