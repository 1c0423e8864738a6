/**
 * Offload's core: the public API ({@link dev.offload}), the store SPI ({@link dev.offload.store})
 * and the engine, which is not exported.
 *
 * <p>{@code dev.offload.store} is exported to everyone because {@code Offload.Builder.store} takes
 * a {@code Store}; it is an SPI for Offload's own stores and may change between versions. {@code
 * dev.offload.internal} (the shared JSON configuration) is exported only to Offload's own modules,
 * and {@code dev.offload.store.jdbc} (the JDBC row reading both stores share) only to the stores.
 */
module dev.offload {
  requires transitive com.fasterxml.jackson.databind;
  requires transitive java.sql;
  requires com.cronutils;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires java.net.http;
  requires org.slf4j;
  requires static org.jspecify;

  exports dev.offload;
  exports dev.offload.store;
  exports dev.offload.store.jdbc to
      dev.offload.postgres,
      dev.offload.sqlite;
  exports dev.offload.internal to
      dev.offload.postgres,
      dev.offload.sqlite,
      dev.offload.server,
      dev.offload.push,
      dev.offload.cli,
      dev.offload.test,
      dev.offload.opentelemetry;

  // Offload's optional modules hook in when they are on the class or module path
  // (offload-opentelemetry).
  uses dev.offload.internal.OffloadInternals.JobInterceptor;

  // Jackson reads and writes the API's records (jobs, errors, progress) and the engine's.
  opens dev.offload to
      com.fasterxml.jackson.databind;
  opens dev.offload.engine to
      com.fasterxml.jackson.databind;
}
