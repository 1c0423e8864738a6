package dev.offload.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.test.OffloadTest.Mode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@OffloadTest(mode = Mode.FAKE)
class FakeModeTest {
  record Email(String to, String subject) {}

  final AtomicInteger sent = new AtomicInteger();

  @OffloadSetup
  static void staticSetupIsCalledToo(Offload.Builder builder) {
    builder.queue("mail", 2);
  }

  @OffloadSetup
  void handlers(Offload.Builder builder) {
    builder.register(
        "emails.send",
        Email.class,
        (args, ctx) -> {
          sent.incrementAndGet();
          return null;
        });
  }

  /** The code under test: signs a user up and sends a welcome email in the background. */
  static void signUp(Offload offload, String email) {
    offload.enqueue("emails.send", new Email(email, "Welcome"));
  }

  @Test
  void nothingRunsAndWhatWasEnqueuedCanBeAsserted(TestOffload offload) {
    signUp(offload.offload(), "ada@example.com");
    signUp(offload.offload(), "bob@example.com");
    offload.clock().advance(Duration.ofDays(1));
    assertThat(sent.get()).isZero();
    assertThat(offload.assertEnqueued("emails.send").state()).isEqualTo(JobState.AVAILABLE);
    offload.assertEnqueued("emails.send", new Email("bob@example.com", "Welcome"));
    offload.assertEnqueued("emails.send", Map.of("subject", "Welcome", "to", "ada@example.com"));
    offload.assertEnqueued("emails.send", Email.class, e -> e.to().startsWith("ada"));
    List<Email> emails = offload.enqueued("emails.send");
    assertThat(emails)
        .containsExactly(
            new Email("ada@example.com", "Welcome"), new Email("bob@example.com", "Welcome"));
  }

  @Test
  void runningIsRefused(TestOffload offload) {
    assertThatThrownBy(offload::drain)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fake mode");
    assertThatThrownBy(offload::runNext).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void assertNothingEnqueuedPassesOnAFreshOffloadAndNamesWhatWasEnqueued(TestOffload offload) {
    offload.assertNothingEnqueued();
    signUp(offload.offload(), "eve@example.com");
    assertThatThrownBy(offload::assertNothingEnqueued)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("emails.send")
        .hasMessageContaining("eve@example.com");
  }

  @Test
  void aFailedAssertionSaysWhatWasEnqueuedInstead(TestOffload offload) {
    signUp(offload.offload(), "ada@example.com");
    assertThatThrownBy(
            () -> offload.assertEnqueued("emails.send", new Email("zed@example.com", "Welcome")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("zed@example.com")
        .hasMessageContaining("ada@example.com");
    assertThatThrownBy(() -> offload.assertEnqueued("sms.send"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("'sms.send'");
    assertThatThrownBy(() -> offload.enqueued("sms.send"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("enqueued(kind, ArgsType.class)");
  }

  @Test
  @OffloadTest(mode = Mode.MANUAL)
  void aMethodsAnnotationOverridesTheClasss(TestOffload offload) {
    assertThat(offload.mode()).isEqualTo(Mode.MANUAL);
    signUp(offload.offload(), "ada@example.com");
    assertThat(offload.drain()).isEqualTo(1);
    assertThat(sent.get()).isEqualTo(1);
  }
}
