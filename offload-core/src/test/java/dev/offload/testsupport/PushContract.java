package dev.offload.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.offload.EnqueueOptions;
import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.JobOptions;
import dev.offload.JobOptions.RetryPolicy;
import dev.offload.Offload;
import dev.offload.QueueOptions;
import dev.offload.store.Store;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Push delivery (issue 16) against a real endpoint (the JDK's {@link HttpServer} on a loopback port
 * 0) and a real store: every answer class, signatures, Retry-After, an endpoint that is down for a
 * while, deliveries never overlapping, and a function platform that cuts each call off. Run by
 * {@code PostgresPushTest} and {@code SqlitePushTest}.
 */
public abstract class PushContract {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "whsec-test-0123456789abcdef";
  private static final String QUEUE = "push";

  protected abstract Store newStore();

  /** Empties the store's jobs and queues between tests. */
  protected abstract void truncate() throws Exception;

  private final List<Offload> nodes = new ArrayList<>();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private Store store;
  private HttpServer server;
  private volatile Endpoint endpoint = (call, ex) -> answer(ex, 200, "{}");
  private final AtomicInteger calls = new AtomicInteger();

  /** What the test endpoint does with one verified call. */
  interface Endpoint {
    void handle(JsonNode call, HttpExchange exchange) throws Exception;
  }

  @BeforeEach
  void start() throws Exception {
    store = newStore();
    store.migrate();
    truncate();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService threads = Executors.newFixedThreadPool(32);
    server.setExecutor(threads);
    server.createContext(
        "/push",
        ex -> {
          try {
            byte[] body = ex.getRequestBody().readAllBytes();
            calls.incrementAndGet();
            if (!signedBy(SECRET, ex.getRequestHeaders().getFirst("Offload-Signature"), body)) {
              answer(ex, 401, "{\"error\":\"bad signature\"}");
              return;
            }
            endpoint.handle(JSON.readTree(body), ex);
          } catch (Exception e) {
            answer(ex, 500, "test endpoint failed: " + e);
          }
        });
    server.start();
    closing.add(() -> server.stop(0));
    closing.add(threads::shutdownNow);
  }

  @AfterEach
  void stop() throws Exception {
    for (Offload n : nodes) {
      n.close();
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
    store.close();
  }

  // ---------------------------------------------------------------- fixtures

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/push";
  }

  private Offload node(String secret) {
    Offload n =
        Offload.builder()
            .store(store)
            .migrate(false)
            .queue(QUEUE, 50)
            .leaseDuration(Duration.ofSeconds(6))
            .pollInterval(Duration.ofMillis(100))
            .pushSecrets(name -> name.equals("PUSH_SECRET") ? secret : null)
            // The kind's backoff applies to retried pushes: short here.
            .register(
                "sync",
                JsonNode.class,
                (args, ctx) -> {
                  throw new AssertionError("a push job must not run on a handler");
                },
                JobOptions.defaults()
                    .queue(QUEUE)
                    .maxAttempts(30)
                    .retryPolicy(RetryPolicy.fixed(Duration.ofMillis(50))))
            .build();
    nodes.add(n);
    return n;
  }

  private Offload pushNode(String secret, Duration timeout) {
    Offload n = node(secret);
    n.updateQueue(
        QUEUE,
        QueueOptions.none()
            .push(QueueOptions.Push.to(url()).secretEnv("PUSH_SECRET").timeout(timeout)));
    n.start();
    return n;
  }

  private Offload pushNode() {
    return pushNode(SECRET, Duration.ofSeconds(10));
  }

  private static JobId enqueue(Offload n, Object args) {
    return n.enqueue("sync", args, EnqueueOptions.none().queue(QUEUE));
  }

  private Job awaitState(Offload n, JobId id, JobState state) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> n.job(id).map(Job::state).orElse(null) == state);
    return n.job(id).orElseThrow();
  }

  static void answer(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
    ex.close();
  }

  /** The endpoint's side of the signature, as docs/push.md tells users to check it. */
  static boolean signedBy(String secret, String header, byte[] body) throws Exception {
    if (header == null) {
      return false;
    }
    String t = null;
    String v1 = null;
    for (String part : header.split(",")) {
      if (part.startsWith("t=")) {
        t = part.substring(2);
      } else if (part.startsWith("v1=")) {
        v1 = part.substring(3);
      }
    }
    if (t == null || v1 == null) {
      return false;
    }
    if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t)) > 300) {
      return false;
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
    byte[] expected = mac.doFinal(body);
    return MessageDigest.isEqual(expected, HexFormat.of().parseHex(v1));
  }

  // ---------------------------------------------------------------- settings

  @Test
  void pushSettingsAreStoredForEveryNode() {
    Offload n = node(SECRET);
    QueueOptions.Push push =
        QueueOptions.Push.to(url()).secretEnv("PUSH_SECRET").timeout(Duration.ofSeconds(42));
    n.updateQueue(QUEUE, QueueOptions.none().maxRunning(7).push(push));
    Offload other = node(SECRET);
    QueueOptions read = other.queueOptions(QUEUE);
    assertThat(read.push()).isEqualTo(push);
    assertThat(read.maxRunning()).isEqualTo(7);
    other.updateQueue(QUEUE, read.push(null));
    assertThat(n.queueOptions(QUEUE).push()).isNull();
    assertThat(n.queueOptions(QUEUE).maxRunning()).isEqualTo(7);
  }

  // ---------------------------------------------------------------- answers

  @Test
  void signedDeliverySucceedsWithTheBodyAsResult() {
    List<JsonNode> seen = new CopyOnWriteArrayList<>();
    List<String> keys = new CopyOnWriteArrayList<>();
    endpoint =
        (call, ex) -> {
          seen.add(call);
          keys.add(ex.getRequestHeaders().getFirst("Idempotency-Key"));
          answer(ex, 200, "{\"synced\":" + call.path("args").path("orders").asInt() + "}");
        };
    Offload n = pushNode();
    JobId id = enqueue(n, Map.of("orders", 12));
    Job job = awaitState(n, id, JobState.SUCCEEDED);
    assertThat(job.result().path("synced").asInt()).isEqualTo(12);
    JsonNode call = seen.get(0);
    assertThat(call.path("id").asLong()).isEqualTo(id.value());
    assertThat(call.path("kind").asText()).isEqualTo("sync");
    assertThat(call.path("attempt").asInt()).isEqualTo(1);
    assertThat(call.path("maxAttempts").asInt()).isEqualTo(30);
    assertThat(call.path("checkpoint").isNull()).isTrue();
    assertThat(Instant.parse(call.path("deadline").asText())).isAfter(Instant.now());
    assertThat(call.path("jobToken").asText()).startsWith(id.value() + ".");
    assertThat(keys).containsExactly(id.value() + "-1");
  }

  @Test
  void aWrongSecretIsRefusedByTheEndpointAndTheJobDies() {
    Offload n = pushNode("not-the-secret", Duration.ofSeconds(10));
    JobId id = enqueue(n, Map.of());
    Job job = awaitState(n, id, JobState.DEAD);
    assertThat(job.errors()).hasSize(1);
    assertThat(job.errors().get(0).message()).contains("401").contains("bad signature");
  }

  @Test
  void aServerErrorIsRetriedWithTheKindsBackoff() {
    AtomicInteger failures = new AtomicInteger(2);
    endpoint =
        (call, ex) -> {
          if (failures.getAndDecrement() > 0) {
            answer(ex, 500, "upstream broke");
          } else {
            answer(ex, 200, "");
          }
        };
    Offload n = pushNode();
    JobId id = enqueue(n, Map.of());
    Job job = awaitState(n, id, JobState.SUCCEEDED);
    assertThat(job.attempt()).isEqualTo(3);
    assertThat(job.errors()).hasSize(2);
    assertThat(job.errors().get(0).message()).contains("500").contains("upstream broke");
    assertThat(job.result() == null || job.result().isNull()).isTrue();
  }

  @Test
  void aClientErrorIsPermanent() {
    endpoint = (call, ex) -> answer(ex, 422, "{\"error\":\"unknown kind\"}");
    Offload n = pushNode();
    JobId id = enqueue(n, Map.of());
    Job job = awaitState(n, id, JobState.DEAD);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.errors().get(0).message()).contains("422").contains("unknown kind");
  }

  @Test
  void retryAfterSnoozesWithoutUsingAnAttempt() {
    Map<Integer, Instant> callTimes = new ConcurrentHashMap<>();
    AtomicInteger n429 = new AtomicInteger(1);
    endpoint =
        (call, ex) -> {
          callTimes.put(callTimes.size(), Instant.now());
          if (n429.getAndDecrement() > 0) {
            ex.getResponseHeaders().set("Retry-After", "2");
            answer(ex, 429, "slow down");
          } else {
            answer(ex, 200, "{\"ok\":true}");
          }
        };
    Offload n = pushNode();
    JobId id = enqueue(n, Map.of());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> n.job(id).map(Job::state).orElse(null) == JobState.RETRYING);
    Job snoozed = n.job(id).orElseThrow();
    assertThat(Duration.between(callTimes.get(0), snoozed.runAt()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1_500));
    Job job = awaitState(n, id, JobState.SUCCEEDED);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(Duration.between(callTimes.get(0), callTimes.get(1)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
  }

  @Test
  void anEndpointThatNeverAnswersTimesOutAndIsRetried() throws Exception {
    // A loopback socket that accepts connections and never answers.
    ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closing.add(silent);
    Offload n = node(SECRET);
    n.updateQueue(
        QUEUE,
        QueueOptions.none()
            .push(
                QueueOptions.Push.to("http://127.0.0.1:" + silent.getLocalPort() + "/push")
                    .timeout(Duration.ofMillis(300))));
    n.start();
    JobId id = enqueue(n, Map.of());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> n.job(id).map(j -> j.errors().size()).orElse(0) >= 2);
    assertThat(n.job(id).orElseThrow().errors().get(0).message()).contains("did not answer within");
  }

  @Test
  void aRefusedConnectionIsRetried() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    Offload n = node(SECRET);
    n.updateQueue(
        QUEUE,
        QueueOptions.none().push(QueueOptions.Push.to("http://127.0.0.1:" + closedPort + "/push")));
    n.start();
    JobId id = enqueue(n, Map.of());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> n.job(id).map(j -> j.errors().size()).orElse(0) >= 2);
    Job job = n.job(id).orElseThrow();
    assertThat(job.errors().get(0).message()).contains("refused the connection");
    assertThat(job.state()).isIn(JobState.RETRYING, JobState.RUNNING, JobState.AVAILABLE);
  }

  @Test
  void anEndpointDownForAWhileLosesNoJob() {
    // "Down for 20 s", counted in calls: the first 60 calls get 503 without Retry-After.
    AtomicInteger down = new AtomicInteger(60);
    Map<Long, AtomicInteger> succeeded = new ConcurrentHashMap<>();
    endpoint =
        (call, ex) -> {
          if (down.getAndDecrement() > 0) {
            answer(ex, 503, "maintenance");
            return;
          }
          succeeded
              .computeIfAbsent(call.path("id").asLong(), k -> new AtomicInteger())
              .incrementAndGet();
          answer(ex, 200, "{}");
        };
    Offload n = pushNode();
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ids.add(enqueue(n, Map.of("i", i)));
    }
    for (JobId id : ids) {
      awaitState(n, id, JobState.SUCCEEDED);
    }
    assertThat(down.get()).isNegative();
    assertThat(succeeded).hasSize(ids.size());
    assertThat(succeeded.values()).allMatch(c -> c.get() == 1);
  }

  // ---------------------------------------------------------------- continuations

  @Test
  void aContinuationStoresTheCheckpointAndDeliversAgainInTheSameAttempt() {
    List<JsonNode> seen = new CopyOnWriteArrayList<>();
    endpoint =
        (call, ex) -> {
          seen.add(call);
          int next = call.path("checkpoint").path("next").asInt(0);
          if (next < 3) {
            answer(
                ex,
                202,
                "{\"continue\":true,\"checkpoint\":{\"next\":"
                    + (next + 1)
                    + "},\"progress\":{\"percent\":"
                    + (next + 1) * 25
                    + ",\"stage\":\"import\",\"message\":\"part "
                    + (next + 1)
                    + "\"}}");
          } else {
            answer(ex, 200, "{\"parts\":" + next + "}");
          }
        };
    Offload n = pushNode();
    JobId id = enqueue(n, Map.of());
    Job job = awaitState(n, id, JobState.SUCCEEDED);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.result().path("parts").asInt()).isEqualTo(3);
    assertThat(job.checkpoint().path("next").asInt()).isEqualTo(3);
    assertThat(job.progress()).isNotNull();
    assertThat(job.progress().stage()).isEqualTo("import");
    assertThat(seen).hasSize(4);
    assertThat(seen.stream().map(c -> c.path("attempt").asInt()).distinct()).containsExactly(1);
    assertThat(seen.stream().map(c -> c.path("jobToken").asText()).distinct()).hasSize(1);
  }

  @Test
  void twoNodesNeverDeliverTheSameJobTwiceAtOnce() {
    Map<Long, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    Set<Long> overlapped = ConcurrentHashMap.newKeySet();
    Map<Long, AtomicInteger> finished = new ConcurrentHashMap<>();
    endpoint =
        (call, ex) -> {
          long id = call.path("id").asLong();
          AtomicInteger now = inFlight.computeIfAbsent(id, k -> new AtomicInteger());
          if (now.incrementAndGet() > 1) {
            overlapped.add(id);
          }
          int next = call.path("checkpoint").path("next").asInt(0);
          work(); // the endpoint's work: a window in which a second delivery would be seen
          // The delivery ends when its answer is sent: the next one may arrive at once after.
          now.decrementAndGet();
          if (next < 4) {
            answer(ex, 202, "{\"continue\":true,\"checkpoint\":{\"next\":" + (next + 1) + "}}");
          } else {
            finished.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            answer(ex, 200, "{}");
          }
        };
    Offload a = pushNode();
    Offload b = node(SECRET);
    b.start();
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      ids.add(enqueue(a, Map.of("i", i)));
    }
    for (JobId id : ids) {
      awaitState(a, id, JobState.SUCCEEDED);
    }
    assertThat(overlapped).isEmpty();
    assertThat(finished).hasSize(ids.size());
    assertThat(finished.values()).allMatch(c -> c.get() == 1);
    assertThat(calls.get()).isEqualTo(ids.size() * 5);
  }

  /**
   * A function platform: each call is cut off hard after its limit (the answer is then a 504, as a
   * platform's gateway gives). The sync is 2 s of work in 20 chunks (a 20-s sync scaled down
   * tenfold), each invocation may run 200 ms: it runs to the end through continuations, resuming
   * from its checkpoint every time, with its progress rising.
   */
  @Test
  void aSyncLongerThanTheFunctionLimitRunsThroughContinuations() throws Exception {
    int items = 1_000;
    Duration limit = Duration.ofSeconds(1);
    ExecutorService platform = Executors.newCachedThreadPool();
    closing.add(platform::shutdownNow);
    Set<Integer> processed = ConcurrentHashMap.newKeySet();
    List<Integer> resumedFrom = new CopyOnWriteArrayList<>();
    List<Integer> returnedAt = new CopyOnWriteArrayList<>();
    endpoint =
        (call, ex) -> {
          Future<String> run =
              platform.submit(() -> {
                Instant deadline = Instant.parse(call.path("deadline").asText());
                int next = call.path("checkpoint").path("next").asInt(0);
                resumedFrom.add(next);
                // Yield with room to spare before the deadline, as a well-behaved handler does.
                Instant yieldAt = deadline.minus(limit.dividedBy(3));
                while (next < items && Instant.now().isBefore(yieldAt)) {
                  work(Duration.ofMillis(3));
                  processed.add(next);
                  next++;
                }
                returnedAt.add(next);
                if (next >= items) {
                  return "200 {\"items\":" + next + "}";
                }
                return "202 {\"continue\":true,\"checkpoint\":{\"next\":"
                    + next
                    + "},\"progress\":{\"done\":"
                    + next
                    + ",\"total\":"
                    + items
                    + ",\"stage\":\"sync\"}}";
              });
          try {
            String out = run.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            answer(ex, Integer.parseInt(out.substring(0, 3)), out.substring(4));
          } catch (TimeoutException e) {
            run.cancel(true);
            answer(ex, 504, "function timed out");
          }
        };
    Offload n = pushNode(SECRET, limit);
    JobId id = enqueue(n, Map.of());
    List<Double> percents = new CopyOnWriteArrayList<>();
    closing.add(
        n.watch(
            id,
            job -> {
              if (job.progress() != null) {
                percents.add(job.progress().percent());
              }
            }));
    Job job = awaitState(n, id, JobState.SUCCEEDED);
    assertThat(job.result().path("items").asInt()).isEqualTo(items);
    assertThat(processed).hasSize(items);
    assertThat(job.errors()).isEmpty();
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(resumedFrom.size()).isGreaterThanOrEqualTo(4);
    // Each invocation resumed where the one before returned.
    for (int i = 1; i < resumedFrom.size(); i++) {
      assertThat(resumedFrom.get(i)).isEqualTo(returnedAt.get(i - 1));
    }
    assertThat(percents).isNotEmpty();
    for (int i = 1; i < percents.size(); i++) {
      assertThat(percents.get(i)).isGreaterThanOrEqualTo(percents.get(i - 1));
    }
  }

  /** Some CPU work: a window in which a second delivery would be seen. */
  private static void work() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] b = new byte[32];
    for (int i = 0; i < 2_000; i++) {
      b = sha.digest(b);
    }
  }

  /**
   * One item of the simulated sync: hashing for {@code cost} of wall time, however fast the CPU.
   */
  private static void work(Duration cost) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] b = new byte[32];
    long end = System.nanoTime() + cost.toNanos();
    while (System.nanoTime() < end) {
      b = sha.digest(b);
    }
  }
}
