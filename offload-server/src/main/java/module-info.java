/**
 * The HTTP API, Server-Sent Events, dashboard and metrics: {@link
 * dev.offload.server.OffloadServer}.
 */
module dev.offload.server {
  requires transitive dev.offload;
  requires transitive io.javalin;
  requires jakarta.servlet;
  requires micrometer.core;
  requires micrometer.registry.prometheus;
  requires org.slf4j;

  exports dev.offload.server;
  // The document of GET /api/kinds, shared with `offload stats --json`.
  exports dev.offload.server.internal to
      dev.offload.cli;

  // Jackson writes the API's documents (records) and reads its requests.
  opens dev.offload.server to
      com.fasterxml.jackson.databind;
  opens dev.offload.server.internal to
      com.fasterxml.jackson.databind;
}
