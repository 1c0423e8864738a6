package dev.offload.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.OffloadException.InvalidJobException;
import dev.offload.internal.Json;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The args type check at enqueue: anything not exactly of the kind's args type is read back every
 * time; an instance of the type only until one has been read back.
 */
class ArgsCheckTest {
  /** Counts its constructions: the test's own and Jackson's when it reads one back. */
  record Counted(int n) {
    static final AtomicInteger BUILT = new AtomicInteger();

    Counted {
      BUILT.incrementAndGet();
    }
  }

  /** Written as {"n":…} but never readable: no creator Jackson can use. */
  static final class WriteOnly {
    private final int n;

    WriteOnly(int n, String unused) {
      this.n = n;
    }

    public int getN() {
      return n;
    }
  }

  /** Takes a number, for the refusals. */
  record Sized(int n) {}

  @Test
  void anInstanceOfTheArgsTypeIsReadBackOnlyOnce() {
    for (int i = 0; i < 100; i++) {
      Counted args = new Counted(i);
      ArgsCheck.type("counted", args, Json.write(args), Counted.class);
    }
    // 100 built here, and one read back by the check.
    assertThat(Counted.BUILT.get()).isEqualTo(101);
  }

  @Test
  void argsNotOfTheTypeAreReadBackEveryTimeAndRefusedNamingTheField() {
    // An instance read back first does not let other values through.
    ArgsCheck.type("sized", new Sized(1), "{\"n\":1}", Sized.class);
    for (int i = 0; i < 2; i++) {
      Map<String, String> args = Map.of("n", "not a number");
      assertThatThrownBy(() -> ArgsCheck.type("sized", args, Json.write(args), Sized.class))
          .isInstanceOf(InvalidJobException.class)
          .hasMessageStartingWith("n: expected a number")
          .satisfies(e -> assertThat(((InvalidJobException) e).field()).isEqualTo("args.n"));
    }
  }

  @Test
  void aClassThatCannotBeReadBackIsRefusedEveryTime() {
    for (int i = 0; i < 2; i++) {
      WriteOnly args = new WriteOnly(i, "x");
      String json = Json.write(args);
      assertThat(json).isEqualTo("{\"n\":" + i + "}");
      assertThatThrownBy(() -> ArgsCheck.type("write-only", args, json, WriteOnly.class))
          .isInstanceOf(InvalidJobException.class)
          .hasMessageContaining("WriteOnly");
    }
  }

  @Test
  void preparingATypeJacksonCannotReadLeavesTheRefusalToTheEnqueue() {
    // Offload.builder().build() prepares every registered args type: a bad one must not fail the
    // build, nor be let through afterwards.
    Json.prepare(WriteOnly.class);
    WriteOnly args = new WriteOnly(7, "x");
    assertThatThrownBy(() -> ArgsCheck.type("write-only", args, Json.write(args), WriteOnly.class))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("WriteOnly");
  }
}
