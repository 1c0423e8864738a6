package dev.offload.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeRunsTest {
  @Test
  void findsAJobThatRanOnTwoNodes(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a.runs");
    Path b = dir.resolve("b.runs");
    NodeRuns.write(a, new long[] {1, 2, 3, 7}, new long[] {10, 20, 30, 70});
    NodeRuns.write(b, new long[] {4, 5, 7, 7}, new long[] {40, 50, 71, 72});
    NodeRuns all = NodeRuns.read(List.of(a, b));
    assertThat(all.ids).hasSize(8);
    assertThat(all.repeated()).containsExactly(java.util.Map.entry(7L, 3));
    assertThat(all.countAbove(3)).isEqualTo(5);
  }

  @Test
  void noRepeatsWhenEveryJobRanOnce(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a.runs");
    Path b = dir.resolve("b.runs");
    NodeRuns.write(a, new long[] {1, 3, 5}, new long[] {1, 3, 5});
    NodeRuns.write(b, new long[] {2, 4, 6}, new long[] {2, 4, 6});
    assertThat(NodeRuns.read(List.of(a, b)).repeated()).isEmpty();
    assertThat(NodeRuns.read(List.of()).repeated()).isEmpty();
  }

  @Test
  void steadyRateCountsOnlyTheMeasuredJobs() {
    // Ids 1..100 are the warm-up (all at time 0); 101..1100 end one per millisecond.
    long[] ids = new long[1_100];
    long[] times = new long[1_100];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i + 1;
      times[i] = i < 100 ? 0 : (i - 99) * 1_000_000L;
    }
    NodeRuns runs = new NodeRuns(ids, times);
    assertThat(runs.steadyPerSecAbove(100)).isCloseTo(1_000, within(5.0));
  }
}
