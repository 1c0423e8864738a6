package dev.offload.server;

import dev.offload.Offload;
import dev.offload.Workflow;
import dev.offload.Workflow.WorkflowId;
import io.javalin.http.Context;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * {@code POST /api/workflows}, {@code GET /api/workflows/{id}}, {@code POST
 * /api/workflows/{id}/cancel|retry}. A refused workflow (a cycle, a missing or duplicate step, an
 * unknown kind) is a 422 whose detail names it; nothing is written.
 */
record WorkflowsApi(Offload offload, long maxBodyBytes) {

  /** 201 + Location + the workflow. */
  void enqueue(Context ctx) {
    WorkflowId id;
    try {
      id = offload.enqueueWorkflow(Http.jsonBody(ctx, maxBodyBytes));
    } catch (IllegalArgumentException e) {
      String m = e.getMessage() == null ? "invalid workflow" : e.getMessage();
      throw ApiException.invalid(m.startsWith("name") ? "name" : "steps", m);
    }
    ctx.header("Location", Http.location(ctx, "/api/workflows/" + id.value()));
    Http.json(ctx, 201, workflow(id));
  }

  void get(Context ctx) {
    Http.json(ctx, 200, workflow(id(ctx)));
  }

  void cancel(Context ctx) {
    act(ctx, offload::cancelWorkflow);
  }

  void retry(Context ctx) {
    act(ctx, offload::retryWorkflow);
  }

  /** {@code action} on the path's workflow, then 200 + the workflow; a 404 when there is none. */
  private void act(Context ctx, Consumer<WorkflowId> action) {
    WorkflowId id = id(ctx);
    try {
      action.accept(id);
    } catch (NoSuchElementException e) {
      throw ApiException.notFound(e.getMessage());
    }
    Http.json(ctx, 200, workflow(id));
  }

  private Workflow workflow(WorkflowId id) {
    return offload.workflow(id).orElseThrow(() -> ApiException.notFound("no workflow " + id));
  }

  private static WorkflowId id(Context ctx) {
    String text = ctx.pathParam("id");
    try {
      return WorkflowId.parse(text);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("no workflow " + text + " (a workflow id is a positive number)");
    }
  }
}
