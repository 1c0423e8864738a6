package dev.offload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Read tokens: good for their job until they expire, and for nothing else. */
class ProgressTokensTest {
  static final byte[] KEY = "a test key of thirty-two bytes!!".getBytes(StandardCharsets.US_ASCII);
  static final Instant NOW = Instant.parse("2026-12-03T08:00:00Z");

  final ProgressTokens tokens = new ProgressTokens(KEY);

  @Test
  void aTokenIsGoodForItsJobUntilItExpires() {
    String token = tokens.issue(42, NOW, Duration.ofMinutes(10));

    assertThat(tokens.verify(42, token, NOW)).isTrue();
    assertThat(tokens.verify(42, token, NOW.plusSeconds(600))).isTrue();
    assertThat(tokens.verify(42, token, NOW.plusSeconds(601))).as("expired").isFalse();
  }

  @Test
  void aTokenIsNotGoodForAnotherJob() {
    String token = tokens.issue(42, NOW, Duration.ofMinutes(10));

    assertThat(tokens.verify(43, token, NOW)).isFalse();
    assertThat(tokens.verify(420, token, NOW)).isFalse();
  }

  @Test
  void aTokenSignedWithAnotherKeyOrChangedIsRefused() {
    String token = tokens.issue(42, NOW, Duration.ofMinutes(10));
    ProgressTokens other =
        new ProgressTokens("another key, also thirty-two b!!".getBytes(StandardCharsets.US_ASCII));
    String expiry = token.substring(0, token.indexOf('.'));
    String signature = token.substring(token.indexOf('.') + 1);

    assertThat(other.verify(42, token, NOW)).isFalse();
    assertThat(tokens.verify(42, (Long.parseLong(expiry) + 3600) + "." + signature, NOW))
        .as("a later expiry")
        .isFalse();
    char last = signature.charAt(signature.length() - 1);
    String flipped = signature.substring(0, signature.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertThat(tokens.verify(42, expiry + "." + flipped, NOW)).as("a changed signature").isFalse();
  }

  @Test
  void malformedTokensAreRefusedWithoutThrowing() {
    for (String bad :
        new String[] {
          null,
          "",
          ".",
          "abc",
          "123",
          "123.",
          ".abc",
          "x.abc",
          "-1.abc",
          "1.***",
          "99999999999999999999999.abc",
          "1.2.3"
        }) {
      assertThat(tokens.verify(42, bad, NOW)).as("'%s'", bad).isFalse();
    }
  }
}
