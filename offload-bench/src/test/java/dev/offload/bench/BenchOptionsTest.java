package dev.offload.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchOptionsTest {
  @Test
  void defaultsRunEveryPeerThreeTimes() {
    BenchOptions o = BenchOptions.parse();
    assertThat(o.jobs()).isEqualTo(100_000);
    assertThat(o.threads()).isEqualTo(16);
    assertThat(o.nodes()).isEmpty();
    assertThat(o.repeat()).isEqualTo(3);
    assertThat(o.probes()).isEqualTo(1_000);
    assertThat(o.systems()).containsExactly("offload", "db-scheduler", "jobrunr", "raw-sql");
    assertThat(o.compare()).isTrue();
  }

  @Test
  void quickIsSmallAndOnce() {
    BenchOptions o = BenchOptions.parse("--quick");
    assertThat(o.jobs()).isEqualTo(2_000);
    assertThat(o.repeat()).isEqualTo(1);
    assertThat(o.probes()).isEqualTo(200);
  }

  @Test
  void readsValuesInBothForms() {
    BenchOptions o =
        BenchOptions.parse(
            "--jobs", "50_000", "--threads=8", "--probes", "300", "--systems", "raw-sql,offload");
    assertThat(o.jobs()).isEqualTo(50_000);
    assertThat(o.probes()).isEqualTo(300);
    assertThat(o.threads()).isEqualTo(8);
    assertThat(o.systems()).containsExactly("raw-sql", "offload");
  }

  @Test
  void probesHaveAnUpperBound() {
    assertThat(BenchOptions.parse("--probes", "100000").probes()).isEqualTo(100_000);
    assertThatThrownBy(() -> BenchOptions.parse("--probes", "100001"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--probes must be at most 100000, got 100001");
    assertThatThrownBy(() -> BenchOptions.parse("--probes", "0"))
        .hasMessageContaining("--probes must be a positive whole number");
  }

  @Test
  void scaleAloneSkipsTheComparisonUnlessAsked() {
    assertThat(BenchOptions.parse("--scale").compare()).isFalse();
    assertThat(BenchOptions.parse("--scale", "--compare").compare()).isTrue();
  }

  @Test
  void pushAloneRunsOnlyThePushScenario() {
    BenchOptions push = BenchOptions.parse("--push");
    assertThat(push.push()).isTrue();
    assertThat(push.compare()).isFalse();
    assertThat(BenchOptions.parse("--push", "--compare").compare()).isTrue();
    assertThat(BenchOptions.parse().push()).isFalse();
  }

  @Test
  void flowAloneSkipsTheComparisonUnlessAsked() {
    BenchOptions flow = BenchOptions.parse("--flow");
    assertThat(flow.flow()).isTrue();
    assertThat(flow.compare()).isFalse();
    assertThat(BenchOptions.parse("--flow", "--quick").compare()).isTrue();
    assertThat(BenchOptions.parse().flow()).isFalse();
  }

  @Test
  void nodesTakeAListAndSkipTheComparisonAlone() {
    BenchOptions o = BenchOptions.parse("--nodes", "1,2,4", "--jobs=20000", "--repeat", "1");
    assertThat(o.nodes()).containsExactly(1, 2, 4);
    assertThat(o.nodesFlow()).isFalse();
    assertThat(o.compare()).isFalse();
    assertThat(o.jobs()).isEqualTo(20_000);
    assertThat(BenchOptions.parse("--nodes=1, 2,2", "--nodes-flow").nodes()).containsExactly(1, 2);
    assertThat(BenchOptions.parse("--nodes=1", "--nodes-flow").nodesFlow()).isTrue();
    assertThat(BenchOptions.parse("--nodes", "1", "--compare").compare()).isTrue();
  }

  @Test
  void rejectsBadNodeLists() {
    assertThatThrownBy(() -> BenchOptions.parse("--nodes", "1,x"))
        .hasMessageContaining("--nodes must be a positive whole number, got 'x'");
    assertThatThrownBy(() -> BenchOptions.parse("--nodes", "0"))
        .hasMessageContaining("--nodes must be a positive");
    assertThatThrownBy(() -> BenchOptions.parse("--nodes", "32"))
        .hasMessageContaining("--nodes 32 is more than --threads 16");
    assertThatThrownBy(() -> BenchOptions.parse("--nodes-flow"))
        .hasMessageContaining("--nodes-flow needs --nodes");
    assertThatThrownBy(() -> BenchOptions.parse("--nodes"))
        .hasMessageContaining("--nodes needs a value");
    assertThatThrownBy(() -> BenchOptions.parse("--quick=yes"))
        .hasMessageContaining("unknown option '--quick=yes'");
  }

  @Test
  void rejectsUnknownSystemsAndOptions() {
    assertThatThrownBy(() -> BenchOptions.parse("--systems", "sidekiq"))
        .hasMessageContaining("unknown system 'sidekiq'");
    assertThatThrownBy(() -> BenchOptions.parse("--fast"))
        .hasMessageContaining("unknown option '--fast'");
    assertThatThrownBy(() -> BenchOptions.parse("--jobs", "0"))
        .hasMessageContaining("--jobs must be a positive");
  }
}
