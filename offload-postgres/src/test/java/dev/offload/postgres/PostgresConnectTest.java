package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.OffloadException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@link PostgresStore#connect(String, int, Duration)}: how long a store waits for its server. */
class PostgresConnectTest {

  @Test
  void aSilentServerIsReportedAfterTheConnectTimeoutNamingItsHostAndPort() throws Exception {
    // The kernel completes the handshake, but nothing ever reads or answers: a silent server.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        PostgresStore store =
            PostgresStore.connect(
                "postgresql://bob@127.0.0.1:" + silent.getLocalPort() + "/x",
                2,
                Duration.ofSeconds(1))) {
      Instant start = Instant.now();

      assertThatThrownBy(store::ping)
          .isInstanceOf(OffloadException.class)
          .hasMessageContaining("127.0.0.1:" + silent.getLocalPort());

      // Hang guard only: the default (10 s) would have kept the caller waiting far longer.
      assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(8));
    }
  }

  @Test
  void aReachableServerAnswersWithTheDefaultTimeout() {
    TestDatabase.requireReachable();
    try (PostgresStore store = PostgresStore.connect(TestDatabase.URL, 1)) {
      store.ping();
    }
  }

  @Test
  void aTimeoutTooShortToConnectIsRefused() {
    assertThatThrownBy(
            () -> PostgresStore.connect(TestDatabase.URL, 1, Duration.ofMillis(10)).close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectTimeout must be at least 250 ms, got 10 ms");
  }
}
