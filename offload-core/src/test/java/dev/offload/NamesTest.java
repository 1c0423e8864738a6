package dev.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.OffloadException.InvalidJobException;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void kindsAndQueuesTakeLettersDigitsAndFourMarksUpTo128() {
    for (String name : List.of("a", "9", "billing.sync-orders:v2_1", "Z".repeat(128))) {
      assertThat(JobRequest.of(name, null).kind()).isEqualTo(name);
      assertThat(EnqueueOptions.none().queue(name).queue()).isEqualTo(name);
    }
  }

  @Test
  void anythingElseIsRefusedNamingTheFieldAndTheValue() {
    for (String name :
        List.of("", ".a", "-a", "_a", ":a", "a b", "a/b", "a!", "é", "a\u0000", "x".repeat(129))) {
      assertThatThrownBy(() -> JobRequest.of(name, null))
          .as("'%s'", name)
          .isInstanceOf(InvalidJobException.class)
          .hasMessageContaining("kind must be 1-128 letters")
          .hasMessageContaining("got '" + name + "'");
      assertThatThrownBy(() -> EnqueueOptions.none().queue(name))
          .as("'%s'", name)
          .hasMessageContaining("queue must be 1-128 letters");
    }
    assertThatThrownBy(() -> JobRequest.of(null, null)).hasMessageContaining("got null");
  }
}
