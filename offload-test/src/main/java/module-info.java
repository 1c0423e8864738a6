/**
 * Offload's test kit: {@link dev.offload.test.OffloadTest} gives a JUnit 5 test an Offload without
 * workers, in inline, manual or fake mode, with a settable clock and assertions.
 */
module dev.offload.test {
  requires transitive dev.offload;
  requires transitive org.junit.jupiter.api;
  requires dev.offload.sqlite;
  requires static dev.offload.postgres;

  exports dev.offload.test;
}
