package dev.offload.server;

import dev.offload.Job.JobId;
import dev.offload.Offload;
import dev.offload.OffloadException.NoSuchJobException;
import io.javalin.config.RoutesConfig;
import java.time.Duration;

/**
 * The route table: which path and method go to which handler, and the filters that run first.
 *
 * <pre>
 * GET    /                          dashboard (also /app.js, /app.css, /favicon.svg)
 * GET    /health                    the store and this node's engine (no token)
 * GET    /metrics                   Prometheus text (no token)
 * POST   /api/jobs                  enqueue: 202 + Location + job; 200 + job with wait
 * GET    /api/jobs                  ?state=&amp;queue=&amp;kind=&amp;errorClass=&amp;limit=&amp;cursor=&amp;fields=args,result → {jobs, nextCursor}
 * GET    /api/jobs/{id}             the job (?token= a read token: the job's JobProgressView, without the admin token)
 * GET    /api/jobs/{id}/events      SSE: state and progress until the job ends (?token= as above)
 * POST   /api/jobs/{id}/progress    a push endpoint's progress: 204 (Bearer the job token, not the admin token)
 * GET    /offload-progress.js       the &lt;offload-progress&gt; web component for end users' pages
 * POST   /api/jobs/{id}/cancel      200 (or 202 while a running attempt stops) + job
 * POST   /api/jobs/{id}/retry       200 + job
 * POST   /api/jobs/{id}/retry-items 202 + Location + the follow-up job for the failed items
 * DELETE /api/jobs/{id}             204
 * POST   /api/dead/replay           {kind?, queue?, errorClass?} → {replayed}
 * GET    /api/queues                {queues}
 * PUT    /api/queues/{name}         {maxRunning, perKey, rate, ratePerKey, fair, aging, pushUrl, ...} → the queue
 * POST   /api/queues/{name}/pause   the queue (also /resume)
 * GET    /api/kinds                 ?budget= → {budgetMs, kinds}
 * GET    /api/schedules             {schedules}
 * POST   /api/schedules             201 + Location + schedule; 409 when the name is taken
 * GET    /api/schedules/{name}      the schedule
 * PUT    /api/schedules/{name}      adds or replaces: 200 + schedule
 * DELETE /api/schedules/{name}      204
 * POST   /api/schedules/{name}/pause  the schedule (also /resume); /run: 202 + Location + job
 * POST   /api/workflows             201 + Location + workflow; 422 naming a cycle, missing or duplicate step
 * GET    /api/workflows/{id}        the workflow: state, progress, steps
 * GET    /api/workflows/{id}/events SSE: workflow and step changes until it ends
 * POST   /api/workflows/{id}/cancel the workflow (also /retry)
 * GET    /api/events                SSE for the dashboard: queues and jobs (?queue=&amp;state=&amp;kind=&amp;limit=)
 * GET    /api/openapi.json          the OpenAPI 3.1 document of all of the above
 * </pre>
 *
 * <p>A route added here goes into {@code openapi.json} too (and its copy {@code
 * docs/openapi.json}): {@code OpenApiTest} fails while a registered route is missing from the
 * document.
 */
final class Routes {
  /** The API's contract, {@code openapi.json} beside this class. */
  private static final byte[] OPENAPI = resource("openapi.json");

  private final Offload offload;
  private final Security security;
  private final OffloadMetrics metrics;
  private final DashboardFeed feed;
  private final JobsApi jobs;
  private final QueuesApi queues;
  private final SchedulesApi schedules;
  private final WorkflowsApi workflows;
  private final WorkflowEvents workflowEvents;
  private final JobEvents jobEvents;
  private final Health health;
  private final ReadTokens readTokens;
  private final PushProgressApi pushProgress;
  private final Dashboard dashboard = new Dashboard();

  Routes(
      Offload offload,
      Security security,
      OffloadMetrics metrics,
      DashboardFeed feed,
      Streams streams,
      long maxBodyBytes,
      Duration requestBudget,
      Duration heartbeat) {
    this.offload = offload;
    this.security = security;
    this.metrics = metrics;
    this.feed = feed;
    this.jobs = new JobsApi(offload, maxBodyBytes);
    this.queues = new QueuesApi(offload, requestBudget);
    this.schedules = new SchedulesApi(offload, maxBodyBytes);
    this.workflows = new WorkflowsApi(offload, maxBodyBytes);
    this.workflowEvents = new WorkflowEvents(offload, heartbeat, streams);
    this.jobEvents = new JobEvents(offload, heartbeat, streams);
    this.health = new Health(offload);
    this.readTokens = new ReadTokens(offload);
    this.pushProgress = new PushProgressApi(offload, maxBodyBytes);
  }

  private static byte[] resource(String name) {
    try (java.io.InputStream in = Routes.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from offload-server's jar");
      }
      return in.readAllBytes();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + name, e);
    }
  }

  void addTo(RoutesConfig r) {
    r.before(ctx -> {
      ctx.header("X-Content-Type-Options", "nosniff");
      security.checkOrigin(ctx);
    });
    r.before(
        "/api/*",
        ctx -> {
          // A job's read token opens that job's document and events, and only those (see
          // ReadTokens). A push endpoint's progress report carries its job token instead of the
          // admin token (see PushProgressApi).
          if (!PushProgressApi.isProgressReport(ctx) && !readTokens.admit(ctx)) {
            security.checkToken(ctx);
          }
        });

    r.get("/", ctx -> dashboard.serve(ctx, "index.html"));
    r.get("/app.js", ctx -> dashboard.serve(ctx, "app.js"));
    r.get("/app.css", ctx -> dashboard.serve(ctx, "app.css"));
    r.get("/favicon.svg", ctx -> dashboard.serve(ctx, "favicon.svg"));
    r.get("/" + Dashboard.COMPONENT, ctx -> dashboard.serve(ctx, Dashboard.COMPONENT));
    r.get("/health", health::handle);
    r.get(
        "/metrics",
        ctx ->
            ctx.status(200)
                .contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.scrape(offload)));

    r.post("/api/jobs", jobs::enqueue);
    r.get("/api/jobs", jobs::list);
    r.get("/api/jobs/{id}", jobs::get);
    r.get("/api/jobs/{id}/events", jobEvents::handle);
    r.post("/api/jobs/{id}/progress", pushProgress::handle);
    r.post("/api/jobs/{id}/cancel", jobs::cancel);
    r.post("/api/jobs/{id}/retry", jobs::retry);
    r.post(
        "/api/jobs/{id}/retry-items",
        ctx -> {
          JobId id = Http.jobId(ctx);
          JobId followUp = JobsApi.refusedAsConflict(() -> offload.retryFailedItems(id));
          ctx.header("Location", Http.location(ctx, "/api/jobs/" + followUp.value()));
          Http.json(
              ctx, 202, offload.job(followUp).orElseThrow(() -> new NoSuchJobException(followUp)));
        });
    r.delete("/api/jobs/{id}", jobs::delete);
    r.post("/api/dead/replay", jobs::replay);
    r.get("/api/queues", queues::list);
    r.put("/api/queues/{name}", queues::put);
    r.post("/api/queues/{name}/pause", queues::pause);
    r.post("/api/queues/{name}/resume", queues::resume);
    r.get("/api/kinds", queues::kinds);
    r.get("/api/schedules", schedules::list);
    r.post("/api/schedules", schedules::create);
    r.get("/api/schedules/{name}", schedules::get);
    r.put("/api/schedules/{name}", schedules::put);
    r.delete("/api/schedules/{name}", schedules::delete);
    r.post("/api/schedules/{name}/pause", schedules::pause);
    r.post("/api/schedules/{name}/resume", schedules::resume);
    r.post("/api/schedules/{name}/run", schedules::run);
    r.post("/api/workflows", workflows::enqueue);
    r.get("/api/workflows/{id}", workflows::get);
    r.get("/api/workflows/{id}/events", workflowEvents::handle);
    r.post("/api/workflows/{id}/cancel", workflows::cancel);
    r.post("/api/workflows/{id}/retry", workflows::retry);
    r.get("/api/events", feed::handle);
    r.get("/api/openapi.json", ctx -> ctx.status(200).contentType(Http.JSON).result(OPENAPI));
  }
}
