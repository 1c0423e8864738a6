package dev.offload.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SchemaMigrationsTest {
  @Test
  void aStoresOwnScriptsStandAmongTheSharedOnesByVersion() {
    assertThat(SchemaMigrations.files("010_later.sql", "000_first.sql", "009_own.sql"))
        .startsWith("000_first.sql", "001_jobs.sql")
        .endsWith("008_push.sql", "009_own.sql", "010_later.sql", "011_queue_slots.sql")
        .hasSize(SchemaMigrations.files().size() + 3);
  }

  @Test
  void withoutOwnScriptsAStoreHasTheSharedOnesInOrder() {
    assertThat(SchemaMigrations.files())
        .startsWith("001_jobs.sql")
        .endsWith("008_push.sql", "011_queue_slots.sql")
        .isSortedAccordingTo(java.util.Comparator.naturalOrder());
    assertThat(SchemaMigrations.latest(SchemaMigrations.files("009_counts.sql"))).isEqualTo(11);
  }

  @Test
  void aScriptThatTakesASharedVersionIsRefused() {
    assertThatThrownBy(() -> SchemaMigrations.files("008_mine.sql"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("008_mine.sql")
        .hasMessageContaining("008_push.sql");
  }
}
