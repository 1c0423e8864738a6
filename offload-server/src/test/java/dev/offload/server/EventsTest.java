package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.internal.Json;
import dev.offload.server.SseClient.Event;
import dev.offload.server.SseClient.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server-Sent Events: a job's stream to its end, reconnection, heartbeats, the dashboard feed. */
class EventsTest {
  @TempDir Path dir;

  TestServer t;

  @BeforeEach
  void start() {
    t = TestServer.start(dir);
  }

  @AfterEach
  void stop() {
    t.close();
  }

  @Test
  void jobStreamSendsStateAndProgressUntilTheJobEnds() throws Exception {
    long id = t.enqueue("steps", Map.of("steps", 20, "delayMs", 40));

    Result r =
        SseClient.readToEnd(t.http, t.request("/api/jobs/" + id + "/events").GET().build(), 30_000);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("text/event-stream");
    assertThat(r.ended()).as("the server closes the stream after the final state").isTrue();
    List<Event> events = r.events();
    assertThat(events.get(0).event()).isEqualTo("state");
    assertThat(events).extracting(Event::event).contains("progress");
    Event last = events.get(events.size() - 1);
    assertThat(last.event()).isEqualTo("state");
    JsonNode finished = Json.tree(last.data());
    assertThat(finished.get("state").asText()).isEqualTo("succeeded");
    assertThat(finished.get("progress").get("percent").asDouble()).isEqualTo(100.0);
    assertThat(finished.get("result").get("steps").asInt()).isEqualTo(20);
    // Every event carries the job document and an increasing id.
    long previous = 0;
    double percent = -1;
    for (Event e : events) {
      long eid = Long.parseLong(e.id());
      assertThat(eid).isGreaterThan(previous);
      previous = eid;
      JsonNode job = Json.tree(e.data());
      assertThat(job.get("id").asLong()).isEqualTo(id);
      if (e.event().equals("progress")) {
        assertThat(job.get("state").asText()).isEqualTo("running");
        double p = job.get("progress").get("percent").asDouble();
        assertThat(p).isGreaterThanOrEqualTo(percent);
        percent = p;
        JsonNode message = job.get("progress").get("message");
        assertThat(message.isNull() || message.asText().startsWith("Processed "))
            .as(message.toString())
            .isTrue();
      }
    }
  }

  @Test
  void reconnectingWithLastEventIdGetsTheCurrentJobAtOnceAndIdsKeepIncreasing() throws Exception {
    long id = t.enqueue("block", Map.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> t.state(id).equals("running"));

    Result first =
        SseClient.read(
            t.http, t.request("/api/jobs/" + id + "/events").GET().build(), e -> true, 10_000);
    assertThat(first.events()).hasSize(1);
    assertThat(first.events().get(0).event()).isEqualTo("state");

    Result again =
        SseClient.read(
            t.http,
            t.request("/api/jobs/" + id + "/events").header("Last-Event-ID", "41").GET().build(),
            e -> true,
            10_000);
    assertThat(again.events().get(0).id()).isEqualTo("42");
    assertThat(Json.tree(again.events().get(0).data()).get("state").asText()).isEqualTo("running");

    t.post("/api/jobs/" + id + "/cancel");
    await().atMost(Duration.ofSeconds(10)).until(() -> t.state(id).equals("cancelled"));
    Result ended =
        SseClient.readToEnd(t.http, t.request("/api/jobs/" + id + "/events").GET().build(), 10_000);
    assertThat(ended.ended()).isTrue();
    assertThat(ended.events())
        .singleElement()
        .satisfies(e -> {
          assertThat(e.event()).isEqualTo("state");
          assertThat(Json.tree(e.data()).get("state").asText()).isEqualTo("cancelled");
        });
  }

  @Test
  void idleStreamGetsHeartbeatComments() throws Exception {
    long id =
        t.post("/api/jobs", "{\"kind\": \"echo\", \"delay\": \"1h\"}").json().get("id").asLong();

    // The test server beats after 500 ms of silence (15 s by default).
    Result r =
        SseClient.read(
            t.http,
            t.request("/api/jobs/" + id + "/events").GET().build(),
            e -> false,
            c -> c.equals("keep-alive"),
            5_000);

    assertThat(r.events()).extracting(Event::event).containsExactly("state");
    assertThat(r.comments()).containsExactly("keep-alive");
  }

  @Test
  void deletingAWatchedJobEndsItsStream() throws Exception {
    long id =
        t.post("/api/jobs", "{\"kind\": \"echo\", \"delay\": \"1h\"}").json().get("id").asLong();

    // The job is deleted once the stream has sent its first event, so the watcher is surely open.
    Result r =
        SseClient.read(
            t.http,
            t.request("/api/jobs/" + id + "/events").GET().build(),
            e -> {
              if (e.event().equals("state")) {
                t.delete("/api/jobs/" + id);
              }
              return false;
            },
            10_000);

    assertThat(r.ended()).isTrue();
    assertThat(r.events()).extracting(Event::event).containsExactly("state", "deleted");
  }

  @Test
  void dashboardFeedSendsQueuesAndJobsAndThenTheirChanges() throws Exception {
    long first =
        t.post("/api/jobs", "{\"kind\": \"echo\", \"queue\": \"default\", \"delay\": \"1h\"}")
            .json()
            .get("id")
            .asLong();
    // Two more jobs are enqueued once the feed has sent its first page, so they arrive as changes.
    // Reading ends once both changes arrived: the page of two jobs, and queue counts of three.
    AtomicBoolean enqueuedLater = new AtomicBoolean();
    AtomicBoolean sawBothJobs = new AtomicBoolean();
    AtomicBoolean sawThreeScheduled = new AtomicBoolean();
    Result r =
        SseClient.read(
            t.http,
            t.request("/api/events?queue=default").GET().build(),
            e -> {
              if (e.event().equals("jobs") && !enqueuedLater.getAndSet(true)) {
                t.post("/api/jobs", "{\"kind\": \"reports.render\", \"delay\": \"1h\"}");
                t.post("/api/jobs", "{\"kind\": \"echo\", \"delay\": \"1h\"}");
                return false;
              }
              if (e.event().equals("jobs") && Json.tree(e.data()).get("jobs").size() == 2) {
                sawBothJobs.set(true);
              }
              if (e.event().equals("queues") && scheduled(e) == 3) {
                sawThreeScheduled.set(true);
              }
              return sawBothJobs.get() && sawThreeScheduled.get();
            },
            15_000);

    assertThat(r.events().get(0).event()).isEqualTo("queues");
    assertThat(r.events().get(1).event()).isEqualTo("jobs");
    JsonNode queues = Json.tree(r.events().get(0).data()).get("queues");
    assertThat(queues).extracting(q -> q.get("name").asText()).contains("default", "reports");
    JsonNode jobs =
        Json.tree(
                r.events().stream()
                    .filter(e -> e.event().equals("jobs"))
                    .reduce((a, b) -> b)
                    .orElseThrow()
                    .data())
            .get("jobs");
    assertThat(jobs).extracting(j -> j.get("queue").asText()).containsOnly("default");
    assertThat(jobs.get(1).get("id").asLong()).isEqualTo(first);
    // Summaries leave out args and stack traces, so a page costs the same whatever jobs hold.
    assertThat(jobs.get(0).has("args")).isFalse();
    // A later queues event reflects the report job enqueued after connecting.
    assertThat(r.events())
        .filteredOn(e -> e.event().equals("queues"))
        .last()
        .satisfies(e -> assertThat(scheduled(e)).isEqualTo(3));
  }

  /** Jobs scheduled across the queues of a {@code queues} event. */
  private static long scheduled(Event e) {
    return Json.tree(e.data()).get("queues").findValues("scheduled").stream()
        .mapToLong(JsonNode::asLong)
        .sum();
  }

  @Test
  void stoppingTheServerEndsOpenStreams() throws Exception {
    long id =
        t.post("/api/jobs", "{\"kind\": \"echo\", \"delay\": \"1h\"}").json().get("id").asLong();
    CountDownLatch streaming = new CountDownLatch(1);
    Thread stopper =
        Thread.ofVirtual()
            .start(() -> {
              try {
                // Stop once the stream is open and serving (its first event arrived), not after a
                // guess.
                if (streaming.await(30, TimeUnit.SECONDS)) {
                  t.server.stop();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });

    Result r =
        SseClient.read(
            t.http,
            t.request("/api/jobs/" + id + "/events").GET().build(),
            e -> {
              streaming.countDown();
              return false;
            },
            30_000);
    stopper.join();

    assertThat(r.ended()).isTrue();
  }
}
