package dev.offload.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsTest {
  private static Map<String, Object> row(String scenario, String system, double drain) {
    Map<String, Object> r = new HashMap<>();
    if (scenario != null) {
      r.put("scenario", scenario);
    }
    r.put("system", system);
    r.put("store", "postgres");
    r.put("drainPerSec", drain);
    return r;
  }

  @Test
  void aNodesRunKeepsTheComparisonAndReplacesOnlyItsOwnScenarios() {
    List<Map<String, Object>> old =
        List.of(
            row(null, "offload", 1),
            row(null, "jobrunr", 2),
            row("nodes-1", "offload", 3),
            row("nodes-4", "offload", 4),
            row("empty-100k", "offload", 5));
    List<Map<String, Object>> merged =
        Results.merged(old, List.of(row("nodes-1", "offload", 30), row("nodes-2", "offload", 31)));
    assertThat(merged)
        .extracting(r -> r.get("scenario") + "=" + r.get("drainPerSec"))
        .containsExactly(
            "null=1.0",
            "null=2.0",
            "nodes-4=4.0",
            "empty-100k=5.0",
            "nodes-1=30.0",
            "nodes-2=31.0");
  }

  @Test
  void aComparisonReplacesTheComparisonRowsOnly() {
    List<Map<String, Object>> old =
        List.of(row(null, "offload", 1), row(null, "raw-sql", 2), row("nodes-1", "offload", 3));
    List<Map<String, Object>> merged = Results.merged(old, List.of(row(null, "offload", 10)));
    assertThat(merged)
        .extracting(r -> r.get("scenario") + "=" + r.get("drainPerSec"))
        .containsExactly("nodes-1=3.0", "null=10.0");
  }

  @Test
  void writesAndReadsBackAndSurvivesAnUnreadableFile(@TempDir Path target) throws Exception {
    assertThat(Results.read(target)).isEmpty();
    Results.write(target, List.of(row(null, "offload", 1)));
    Results.write(target, List.of(row("pending-1m", "offload", 2)));
    assertThat(Results.read(target))
        .extracting(r -> r.get("scenario") + "=" + r.get("drainPerSec"))
        .containsExactly("null=1.0", "pending-1m=2.0");
    Files.writeString(target.resolve("results.json"), "{not json");
    assertThat(Results.read(target)).isEmpty();
  }
}
