/**
 * Offload over HTTP: {@link dev.offload.server.OffloadServer} serves the JSON API, Server-Sent
 * Events, the dashboard, {@code /metrics} and {@code /health} on Javalin (Jetty, virtual threads);
 * {@link dev.offload.server.OffloadMetrics} counts jobs for Prometheus through Micrometer.
 *
 * <p>Mechanism: the server sees only the public {@code dev.offload} API and the shared JSON mapper,
 * so its documents are those of {@code offload status --json} and {@code offload jobs --json}.
 * Handlers are plain methods ({@code JobsApi}, {@code QueuesApi}); refusals are thrown as {@code
 * ApiException} and answered as RFC 9457 problem documents. Event streams are written by their
 * request's own virtual thread ({@code EventStream}): a job's stream is fed by {@code
 * Offload.watch} (LISTEN/NOTIFY across nodes on PostgreSQL), the dashboard's by a once-a-second
 * poll whose cost does not grow with the job rate ({@code DashboardFeed}). The dashboard is static
 * HTML, CSS and JavaScript in {@code dev/offload/server/dashboard/}, with no build step.
 *
 * <p>Everything but {@code OffloadServer} and {@code OffloadMetrics} is package-private.
 */
package dev.offload.server;
