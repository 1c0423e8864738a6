package dev.offload.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchOptionsTest {
  @Test
  void defaultsRunEveryPeerThreeTimes() {
    BenchOptions o = BenchOptions.parse();
    assertThat(o.jobs()).isEqualTo(20_000);
    assertThat(o.threads()).isEqualTo(16);
    assertThat(o.repeat()).isEqualTo(3);
    assertThat(o.systems()).containsExactly("offload", "db-scheduler", "jobrunr", "raw-sql");
    assertThat(o.compare()).isTrue();
  }

  @Test
  void quickIsSmallAndOnce() {
    BenchOptions o = BenchOptions.parse("--quick");
    assertThat(o.jobs()).isEqualTo(2_000);
    assertThat(o.repeat()).isEqualTo(1);
  }

  @Test
  void readsValuesInBothForms() {
    BenchOptions o =
        BenchOptions.parse("--jobs", "50_000", "--threads=8", "--systems", "raw-sql,offload");
    assertThat(o.jobs()).isEqualTo(50_000);
    assertThat(o.threads()).isEqualTo(8);
    assertThat(o.systems()).containsExactly("raw-sql", "offload");
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
  void rejectsUnknownSystemsAndOptions() {
    assertThatThrownBy(() -> BenchOptions.parse("--systems", "sidekiq"))
        .hasMessageContaining("unknown system 'sidekiq'");
    assertThatThrownBy(() -> BenchOptions.parse("--fast"))
        .hasMessageContaining("unknown option '--fast'");
    assertThatThrownBy(() -> BenchOptions.parse("--jobs", "0"))
        .hasMessageContaining("--jobs must be a positive");
  }
}
