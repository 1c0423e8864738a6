package dev.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The checks of a push URL: the queue cannot be turned against the network it runs in. */
class PushOptionsTest {

  @Test
  void httpsIsAcceptedAnywhereAndHttpOnlyOnLoopback() {
    assertThat(QueueOptions.Push.to("https://app.example.com/offload").url().getHost())
        .isEqualTo("app.example.com");
    assertThat(QueueOptions.Push.to("http://127.0.0.1:8080/push").timeout())
        .isEqualTo(Duration.ofSeconds(60));
    QueueOptions.Push.to("http://localhost/push");
    QueueOptions.Push.to("http://[::1]:9/push");
    assertThatThrownBy(() -> QueueOptions.Push.to("http://app.example.com/push"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pushUrl")
        .hasMessageContaining("https");
  }

  @Test
  void allowHttpPermitsPlainHttpToOtherHosts() {
    QueueOptions.Push push =
        new QueueOptions.Push(
            java.net.URI.create("http://app.internal/push"), null, null, /* allowHttp= */ true);
    assertThat(push.allowHttp()).isTrue();
  }

  @Test
  void linkLocalAndMetadataAddressesAreRefusedEvenWithAllowHttp() {
    for (String url :
        new String[] {
          "http://169.254.169.254/latest/meta-data",
          "https://169.254.10.1/x",
          "http://[fd00:ec2::254]/latest",
          "http://[fe80::1]/x",
          "http://metadata.google.internal/computeMetadata/v1",
        }) {
      assertThatThrownBy(
              () -> new QueueOptions.Push(java.net.URI.create(url), null, null, true), url)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("pushUrl")
          .hasMessageContaining("metadata");
    }
  }

  @Test
  void badValuesNameTheirField() {
    assertThatThrownBy(() -> QueueOptions.Push.to("ftp://example.com/x"))
        .hasMessageContaining("pushUrl");
    assertThatThrownBy(() -> QueueOptions.Push.to("not a url")).hasMessageContaining("pushUrl");
    assertThatThrownBy(() -> QueueOptions.Push.to("https://u:p@example.com/x"))
        .hasMessageContaining("pushUrl");
    assertThatThrownBy(
            () -> QueueOptions.Push.to("https://example.com/x").timeout(Duration.ofMillis(5)))
        .hasMessageContaining("pushTimeout");
    assertThatThrownBy(() -> QueueOptions.Push.to("https://example.com/x").secretEnv("A-B"))
        .hasMessageContaining("pushSecretEnv");
  }
}
