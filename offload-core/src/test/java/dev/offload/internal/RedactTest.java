package dev.offload.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactTest {
  @Test
  void userInfoPasswordIsDroppedAndTheRestKept() {
    assertThat(Redact.url("postgresql://bob:hunter2@db.local:5433/app"))
        .isEqualTo("postgresql://bob@db.local:5433/app");
    assertThat(Redact.url("postgresql://bob@db.local/app"))
        .isEqualTo("postgresql://bob@db.local/app");
    assertThat(Redact.url("postgresql://db.local:5433/app"))
        .isEqualTo("postgresql://db.local:5433/app");
  }

  @Test
  void passwordParametersAreDropped() {
    assertThat(
            Redact.url(
                "jdbc:postgresql://h/db?user=bob&password=hunter2&sslmode=require&sslpassword=x"))
        .isEqualTo("jdbc:postgresql://h/db?user=bob&sslmode=require");
    assertThat(Redact.url("postgresql://h/db?PASSWORD=hunter2")).isEqualTo("postgresql://h/db");
    assertThat(Redact.url("jdbc:postgresql://h/db?user=me@tenant&password=hunter2"))
        .isEqualTo("jdbc:postgresql://h/db?user=me@tenant");
  }

  @Test
  void malformedUrlsLoseTheirPasswordToo() {
    for (String url :
        new String[] {
          "postgresql://bob:hun ter2@exa mple/x",
          "postgresql://bob:hunter2@[bad/x",
          "postgresql://bob:hu@n/ter2@host/x",
          "postgresql://bob:hu?nter2@host/x",
          "mysql://bob:hunter2@host/x",
          "postgresql://bob:hunter2@/x?password=hunter2"
        }) {
      assertThat(Redact.url(url)).as(url).doesNotContain("ter2").doesNotContain("nter2");
    }
  }
}
