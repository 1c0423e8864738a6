package dev.offload.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.Offload.Outcome;
import dev.offload.OffloadPlugin;
import dev.offload.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo plugin is found like any plugin, and its kinds run on a real SQLite store. */
class DemoPluginTest {
  @TempDir Path dir;

  @Test
  void serviceLoaderFindsTheDemoPlugin() {
    List<String> found =
        ServiceLoader.load(OffloadPlugin.class).stream().map(p -> p.type().getName()).toList();

    assertThat(found).contains(DemoPlugin.class.getName());
  }

  @Test
  void theLoadedPluginsKindsRunToTheirResults() throws Exception {
    Offload.Builder builder = Offload.builder().store(SqliteStore.open(dir.resolve("offload.db")));
    ServiceLoader.load(OffloadPlugin.class).forEach(p -> p.configure(builder));
    try (Offload offload = builder.build()) {
      offload.start();

      Outcome<?> slept = offload.runOrDefer("demo.sleep", Map.of("ms", 5), Duration.ofSeconds(30));
      Outcome<?> failed =
          offload.runOrDefer(
              "demo.fail", Map.of("times", 1, "permanent", true), Duration.ofSeconds(30));
      Outcome<?> synced =
          offload.runOrDefer("demo.sync", Map.of("items", 1_000), Duration.ofSeconds(60));

      assertThat(slept.succeeded()).as("%s", slept.job()).isTrue();
      assertThat(slept.job().result().path("sleptMs").asLong()).isEqualTo(5);
      assertThat(failed.job().state()).isEqualTo(JobState.DEAD);
      assertThat(synced.succeeded()).as("%s", synced.job()).isTrue();
      assertThat(synced.job().result().path("failed").asInt()).isEqualTo(1);
      assertThat(synced.job().failedItems().items())
          .extracting(i -> i.key())
          .containsExactly("record-996");
    }
  }
}
