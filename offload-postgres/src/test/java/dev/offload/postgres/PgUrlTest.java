package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PgUrlTest {
  @Test
  void libpqFormBecomesJdbcWithoutShowingThePassword() {
    PgUrl url = PgUrl.parse("postgresql://app:s%40cret@db.local:5433/orders?sslmode=disable");
    assertThat(url.jdbcUrl())
        .isEqualTo(
            "jdbc:postgresql://db.local:5433/orders?user=app&password=s%40cret&sslmode=disable");
    assertThat(url.display())
        .isEqualTo("postgresql://db.local:5433/orders?user=app&sslmode=disable");
    assertThat(url.schema()).isEqualTo("offload");
  }

  @Test
  void currentSchemaPicksTheSchema() {
    PgUrl url =
        PgUrl.parse(
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=jobs_a,public");
    assertThat(url.schema()).isEqualTo("jobs_a");
    assertThat(url.jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:5432/test?");
  }

  @Test
  void otherSchemesAreRefusedWithTheAcceptedForms() {
    assertThatThrownBy(() -> PgUrl.parse("mysql://x/y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("postgresql://user@host:port/db");
    assertThatThrownBy(() -> PgUrl.parse("postgresql:///nohost"))
        .hasMessageContaining("names no host");
  }
}
