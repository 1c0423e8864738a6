package dev.offload.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Job.JobId;
import dev.offload.Offload;
import dev.offload.sqlite.SqliteStore;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The workers stop as part of Spring's shutdown, after the web server stopped taking requests: a
 * job running when the application is closed finishes within the grace period (it is not handed
 * back), while the port already refuses connections and the health contributor says {@code
 * OUT_OF_SERVICE}.
 */
class GracefulShutdownTest {
  @TempDir Path dir;

  @Test
  void aRunningJobFinishesAfterTheWebServerStoppedTakingRequests() throws Exception {
    Path file = dir.resolve("shutdown.db");
    OrdersApp.Gate.open = new CountDownLatch(1);
    OrdersApp.Gate.started = new CountDownLatch(1);
    ConfigurableApplicationContext app =
        new SpringApplicationBuilder(OrdersApp.class)
            .properties(
                "spring.datasource.url=jdbc:sqlite:" + file,
                "server.port=0",
                "offload.shutdown-grace=20s",
                "spring.lifecycle.timeout-per-shutdown-phase=25s")
            .run();
    int port = ((WebServerApplicationContext) app).getWebServer().getPort();
    Offload offload = app.getBean(Offload.class);
    OffloadHealthIndicator health = app.getBean(OffloadHealthIndicator.class);
    OffloadLifecycle lifecycle = app.getBean(OffloadLifecycle.class);
    JobId id = offload.enqueue("test.gate", Map.of());
    await().atMost(Duration.ofSeconds(20)).until(() -> OrdersApp.Gate.started.getCount() == 0);
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    assertThat(accepts(port)).isTrue();

    AtomicReference<Throwable> closeFailed = new AtomicReference<>();
    Thread closer =
        Thread.ofPlatform()
            .start(() -> {
              try {
                app.close();
              } catch (Throwable t) {
                closeFailed.set(t);
              }
            });

    // The web server stops taking requests while the job still runs: the workers are draining.
    await().atMost(Duration.ofSeconds(20)).until(() -> !accepts(port));
    assertThat(lifecycle.isRunning()).as("workers still running after the port closed").isTrue();
    assertThat(health.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);

    OrdersApp.Gate.open.countDown();
    closer.join(Duration.ofSeconds(30));
    assertThat(closer.isAlive()).isFalse();
    assertThat(closeFailed.get()).isNull();
    assertThat(lifecycle.isRunning()).isFalse();

    // Finished within the grace period, not handed back.
    try (SqliteStore store = SqliteStore.open(file)) {
      assertThat(store.jobGet(id.value()).orElseThrow().state().wireName()).isEqualTo("succeeded");
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
