package dev.offload.server;

import dev.offload.Job.JobPage;
import dev.offload.Job.JobQuery;
import dev.offload.Offload;
import dev.offload.internal.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/events?queue=&state=&kind=&limit=}: everything the dashboard shows, as
 * Server-Sent Events. {@code event: queues} carries {@code {"queues": [...]}} as {@code GET
 * /api/queues} does; {@code event: jobs} carries {@code {"jobs": [...], "nextCursor": ...}}, the
 * newest page of jobs matching the filter as {@link JobSummary summaries}; {@code event:
 * unavailable} carries a problem document while the store cannot be read. Each is sent at once on
 * connect and then whenever it changed.
 *
 * <p>Why a poll and not a watch of every job: the dashboard shows aggregates and one page, whose
 * cost should not grow with the job rate. One ticker reads the queue counts once per tick, and the
 * newest page once per tick per distinct filter, whatever the number of jobs changing and of
 * browsers watching: at 10,000 jobs/s it is still two small queries per second. Each browser keeps
 * only the latest document of each kind, so a slow one skips stale ones instead of piling them up.
 */
final class DashboardFeed implements AutoCloseable {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 200;
  private static final Logger log = LoggerFactory.getLogger(DashboardFeed.class);
  private static final List<String> EVENTS = List.of("unavailable", "queues", "jobs");

  private final Offload offload;
  private final Duration interval;
  private final Duration heartbeat;
  private final Streams streams;
  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
  private ScheduledExecutorService ticker;

  DashboardFeed(Offload offload, Duration interval, Duration heartbeat, Streams streams) {
    this.offload = offload;
    this.interval = interval;
    this.heartbeat = heartbeat;
    this.streams = streams;
  }

  synchronized void start() {
    ticker =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("offload-dashboard-feed").factory());
    ticker.scheduleWithFixedDelay(
        this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    if (ticker != null) {
      ticker.shutdownNow();
      ticker = null;
    }
  }

  void handle(Context ctx) throws Exception {
    JobQuery query = JobsApi.query(ctx, DEFAULT_LIMIT, MAX_LIMIT);
    Subscriber s = new Subscriber(query);
    // The first documents are read on the request's thread so the browser has them at once.
    refresh(List.of(s));
    subscribers.add(s);
    try (Streams.Registration r = streams.register(s.wake)) {
      EventStream stream = r.open(ctx);
      while (true) {
        boolean woken = !s.wake.take(heartbeat).isEmpty();
        if (r.stopping()) {
          return;
        }
        if (!woken && s.pending.isEmpty()) {
          stream.comment("keep-alive");
          continue;
        }
        for (String event : EVENTS) {
          String data = s.pending.remove(event);
          if (data != null) {
            stream.send(event, data);
          }
        }
      }
    } catch (IOException e) {
      // The browser went away.
    } catch (InterruptedException e) {
      // The server is stopping its threads.
    } finally {
      subscribers.remove(s);
    }
  }

  /** One tick: read what the subscribers need, once per distinct filter, and hand out changes. */
  void tick() {
    if (!subscribers.isEmpty()) {
      refresh(List.copyOf(subscribers));
    }
  }

  private void refresh(List<Subscriber> targets) {
    String queues;
    Map<JobQuery, String> pages = new HashMap<>();
    try {
      queues = Json.write(Map.of("queues", QueueDocument.all(offload)));
      for (Subscriber s : targets) {
        pages.computeIfAbsent(s.query, this::page);
      }
    } catch (RuntimeException e) {
      log.debug("dashboard feed could not read the store", e);
      String problem =
          Json.write(
              Problem.of(503, "the store cannot be read: " + e.getMessage(), "/api/events", null));
      targets.forEach(s -> s.offer("unavailable", problem));
      return;
    }
    for (Subscriber s : targets) {
      s.offer("queues", queues);
      s.offer("jobs", pages.get(s.query));
    }
  }

  private String page(JobQuery q) {
    JobPage page = offload.jobs(q);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("jobs", page.jobs().stream().map(JobSummary::of).toList());
    doc.put("nextCursor", page.nextCursor());
    return Json.write(doc);
  }

  int subscribers() {
    return subscribers.size();
  }

  /** One browser: the latest unsent document of each event, and a signal that there is one. */
  private static final class Subscriber {
    final JobQuery query;
    final Map<String, String> pending = new ConcurrentHashMap<>();
    final Map<String, String> last = new ConcurrentHashMap<>();
    final Inbox<Boolean> wake = new Inbox<>();

    Subscriber(JobQuery query) {
      this.query = query;
    }

    void offer(String event, String data) {
      if (data.equals(last.put(event, data))) {
        return;
      }
      if (!event.equals("unavailable")) {
        last.remove("unavailable");
      }
      pending.put(event, data);
      wake.offer(Boolean.TRUE);
    }
  }
}
