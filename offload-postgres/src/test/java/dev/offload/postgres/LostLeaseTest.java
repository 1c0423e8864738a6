package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.testsupport.FreshDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node cut off from the database past its lease notices on its own: it cancels the attempt it can
 * no longer renew (the handler sees {@code isCancelled()} and an interrupt) while another node
 * rescues the job and runs it again.
 */
class LostLeaseTest {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  record Work(String name) {}

  @Test
  void nodeCutOffPastItsLeaseCancelsTheAttemptThatAnotherNodeRescues() throws Exception {
    URI target = URI.create(TestDatabase.URL.substring("jdbc:".length()));
    CountDownLatch startedOnCutNode = new CountDownLatch(1);
    CountDownLatch cancellationSeen = new CountDownLatch(1);
    AtomicBoolean cancelledFlag = new AtomicBoolean();
    AtomicInteger runsOnCutNode = new AtomicInteger();
    PrintStream stderr = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (TcpProxy proxy =
        new TcpProxy(target.getHost(), target.getPort() > 0 ? target.getPort() : 5432)) {
      String viaProxy =
          db.url().replace(target.getHost() + ":" + target.getPort(), "127.0.0.1:" + proxy.port());
      Offload cut =
          node(
              "cut",
              PostgresStore.connect(viaProxy, 2),
              (work, ctx) -> {
                runsOnCutNode.incrementAndGet();
                startedOnCutNode.countDown();
                try {
                  new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                  cancelledFlag.set(ctx.isCancelled());
                  cancellationSeen.countDown();
                  throw e;
                }
                return "cut";
              });
      Offload other = node("other", PostgresStore.connect(db.url(), 2), (work, ctx) -> "other");
      JobId id = null;
      try {
        cut.start();
        id = cut.enqueue("work", new Work("one"));
        assertThat(startedOnCutNode.await(30, TimeUnit.SECONDS)).isTrue();
        other.start();

        System.setErr(new PrintStream(new TeeStream(stderr, log), true, StandardCharsets.UTF_8));
        proxy.cut();
        // The cut node cannot renew the lease: it stops its handler on its own...
        assertThat(cancellationSeen.await(60, TimeUnit.SECONDS))
            .as("the cut-off handler was interrupted")
            .isTrue();
        assertThat(cancelledFlag).as("ctx.isCancelled() when interrupted").isTrue();
        // ...and the other node rescues the job and runs it to the end.
        JobId rescued = id;
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> other.job(rescued).orElseThrow().state() == JobState.SUCCEEDED);
        System.setErr(stderr);
        proxy.restore();

        Job job = other.job(id).orElseThrow();
        assertThat(job.node()).isEqualTo("other");
        assertThat(job.attempt()).isEqualTo(2);
        assertThat(job.errors())
            .singleElement()
            .satisfies(e -> assertThat(e.message()).contains("lost worker"));
        assertThat(runsOnCutNode).hasValue(1);
        String text = log.toString(StandardCharsets.UTF_8);
        assertThat(text)
            .contains("node cut lost the leases of 1 jobs [" + id.value() + "]")
            .contains("would be refused");
      } finally {
        System.setErr(stderr);
        proxy.restore();
        cut.close();
        other.close();
      }
      // Back online and closed, the cut node wrote nothing over the other node's outcome.
      try (PostgresStore store = PostgresStore.connect(db.url(), 1)) {
        Job job = store.jobGet(id.value()).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.node()).isEqualTo("other");
        assertThat(job.attempt()).isEqualTo(2);
      }
    }
  }

  private static Offload node(
      String name, PostgresStore store, dev.offload.JobHandler<Work> handler) {
    return Offload.builder()
        .store(store)
        .node(name)
        .queue("default", 2)
        .pollInterval(Duration.ofMillis(200))
        .leaseDuration(Duration.ofSeconds(2))
        .heartbeatInterval(Duration.ofMillis(250))
        .rescueInterval(Duration.ofMillis(250))
        .shutdownGrace(Duration.ofMillis(200))
        .register("work", Work.class, handler)
        .build();
  }

  /** Writes to stderr as before and keeps a copy for the assertions. */
  private static final class TeeStream extends java.io.OutputStream {
    private final PrintStream first;
    private final ByteArrayOutputStream second;

    TeeStream(PrintStream first, ByteArrayOutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      first.write(b, off, len);
      second.write(b, off, len);
    }
  }
}
