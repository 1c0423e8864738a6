package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Job;
import dev.offload.Job.Progress;
import dev.offload.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code status --follow}'s lines fit the terminal: none may wrap, or the in-place redraw garbles.
 */
class ProgressBarsTest {
  private static final Instant NOW = Instant.parse("2026-12-01T09:00:00Z");

  /**
   * A running job with progress, read from JSON as the API writes it (fields left out are null).
   */
  private static Job job(String kind, String message) {
    Progress p = new Progress(42.5, 425, 1000L, "import", List.of(), message, 3_725.0, 0, NOW);
    ObjectNode doc = Json.object();
    doc.put("id", 7)
        .put("kind", kind)
        .put("queue", "default")
        .put("state", "running")
        .put("priority", 0)
        .put("attempt", 1)
        .put("maxAttempts", 20)
        .put("runAt", NOW.toString())
        .put("createdAt", NOW.toString())
        .put("startedAt", NOW.minusSeconds(75).toString())
        .put("node", "node-a");
    doc.set("progress", Json.toTree(p));
    try {
      return Json.convert(doc, Job.class);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Renders like a terminal: each line as drawn, without the cursor movements. */
  private static List<String> render(int width, Job job) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ProgressBars bars =
        new ProgressBars(
            new PrintStream(bytes, true, StandardCharsets.UTF_8), /* tty= */ true, width);
    bars.update("#7 " + job.kind(), job, NOW);
    String screen = bytes.toString(StandardCharsets.UTF_8).replaceAll("\033\\[\\d*[A-Za-z]", "");
    return screen.lines().toList();
  }

  @Test
  void noLineWrapsAt80Or200Columns() {
    Job job =
        job(
            "orders.sync.with.a.rather.long.kind.name",
            "Imported 12,000 of 50,000 orders from the upstream API, tenant acme-corporation-europe-west");
    for (int width : new int[] {80, 200}) {
      List<String> lines = render(width, job);
      assertThat(lines)
          .as("at %d columns", width)
          .isNotEmpty()
          .allSatisfy(line -> assertThat(line.length()).as(line).isLessThan(width));
    }
    assertThat(render(200, job).get(0))
        .as("200 columns hold the whole message")
        .endsWith("tenant acme-corporation-europe-west");
    assertThat(render(80, job).get(0)).endsWith("…");
  }

  @Test
  void aMessageWithLineBreaksStaysOnOneLine() {
    List<String> lines = render(200, job("k", "first line\nsecond line\r\n\tthird"));
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains("first line second line third");
  }

  @Test
  void widthIsAskedOfTheTerminalThenColumnsThen80() {
    assertThat(Terminal.width("24 132\n", Map.of("COLUMNS", "100"))).isEqualTo(132);
    assertThat(Terminal.width(null, Map.of("COLUMNS", "100"))).isEqualTo(100);
    assertThat(Terminal.width("0 0", Map.of())).isEqualTo(80);
    assertThat(Terminal.width(null, Map.of("COLUMNS", "wide"))).isEqualTo(80);
    assertThat(Terminal.width(null, Map.of())).isEqualTo(80);
  }
}
