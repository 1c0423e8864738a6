package dev.offload.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SoakOptionsTest {
  @Test
  void defaultsAreTenMinutesAtHalfTheMeasuredCapacity() {
    Soak.Options o = Soak.Options.parse();
    assertThat(o.minutes()).isEqualTo(10);
    assertThat(o.rate()).isZero();
    assertThat(o.threads()).isEqualTo(100);
    assertThat(o.retentionSecs()).isEqualTo(60);
    assertThat(o.vacuum()).isTrue();
  }

  @Test
  void readsEveryOption() {
    Soak.Options o =
        Soak.Options.parse(
            "--minutes=2", "--rate", "300", "--threads", "50", "--retention=30", "--no-vacuum");
    assertThat(o).isEqualTo(new Soak.Options(2, 300, 50, 30, false, false));
    assertThat(Soak.Options.parse("-h").help()).isTrue();
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> Soak.Options.parse("--minutes", "0"))
        .hasMessageContaining("--minutes must be a positive whole number, got '0'");
    assertThatThrownBy(() -> Soak.Options.parse("--rate"))
        .hasMessageContaining("--rate needs a value");
    assertThatThrownBy(() -> Soak.Options.parse("--hours", "1"))
        .hasMessageContaining("unknown option '--hours'");
  }

  @Test
  void theMixIsNinetyNineOneAndTheProbeHasNoFailures() {
    int fast = 0;
    int slow = 0;
    int failing = 0;
    for (int draw = 0; draw < 1_000; draw++) {
      SoakChild.SoakArgs a = SoakChild.mix(draw, 0, true);
      if (a.fail() != 0) {
        failing++;
      } else if (a.sleepMs() == 1_000) {
        slow++;
      } else {
        fast++;
      }
      assertThat(SoakChild.mix(draw, 0, false).fail()).isZero();
    }
    assertThat(new int[] {fast, slow, failing}).containsExactly(900, 90, 10);
  }

  @Test
  void tableLevelIsJudgedAfterRetentionAndOnePrunerMinute() {
    assertThat(Soak.levelFrom(60)).isEqualTo(3);
    assertThat(Soak.levelFrom(30)).isEqualTo(3);
    assertThat(Soak.levelFrom(120)).isEqualTo(4);
  }
}
