package dev.offload.server;

import dev.offload.Job;
import dev.offload.Offload;
import dev.offload.Workflow;
import dev.offload.Workflow.WorkflowId;
import dev.offload.internal.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code GET /api/workflows/{id}/events}: a workflow's step changes as Server-Sent Events, until it
 * ends.
 *
 * <ul>
 *   <li>{@code event: workflow}, first (the workflow as it is now, so a reconnecting client resumes
 *       from it) and whenever its state or progress changed: the document of {@code GET
 *       /api/workflows/{id}};
 *   <li>{@code event: step} when a step's state or progress changed: that step's document.
 * </ul>
 *
 * The stream closes after the workflow event that carries an ended state (succeeded, failed,
 * cancelled). Changes come from {@link Offload#watch} on every step's job, so they are seen from
 * any node; each one re-reads the workflow, which keeps the events in the store's order.
 */
record WorkflowEvents(Offload offload, Duration heartbeat, Streams streams) {

  void handle(Context ctx) throws Exception {
    String text = ctx.pathParam("id");
    WorkflowId id;
    try {
      id = WorkflowId.parse(text);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("no workflow " + text + " (a workflow id is a positive number)");
    }
    Workflow first =
        offload.workflow(id).orElseThrow(() -> ApiException.notFound("no workflow " + id));
    Inbox<Job> updates = new Inbox<>();
    List<AutoCloseable> watches = new ArrayList<>();
    try (Streams.Registration r = streams.register(updates)) {
      for (Workflow.Step s : first.steps()) {
        watches.add(offload.watch(s.jobId(), updates::offer));
      }
      EventStream stream = r.open(ctx);
      Workflow sent = first;
      stream.send("workflow", Json.write(first));
      Map<String, Workflow.Step> sentSteps = new HashMap<>();
      first.steps().forEach(s -> sentSteps.put(s.name(), s));
      while (sent.state() == Workflow.State.RUNNING) {
        List<Job> batch = updates.take(heartbeat);
        if (r.stopping()) {
          return;
        }
        Workflow now = offload.workflow(id).orElse(null);
        if (now == null) {
          return;
        }
        boolean changed = false;
        for (Workflow.Step s : now.steps()) {
          Workflow.Step before = sentSteps.get(s.name());
          if (before == null
              || before.state() != s.state()
              || !Objects.equals(before.progress(), s.progress())) {
            stream.send("step", Json.write(s));
            sentSteps.put(s.name(), s);
            changed = true;
          }
        }
        // The percent, not the estimate: the time left moves every second.
        if (now.state() != sent.state() || now.progress().percent() != sent.progress().percent()) {
          stream.send("workflow", Json.write(now));
          sent = now;
          changed = true;
        }
        if (!changed && batch.isEmpty()) {
          stream.comment("keep-alive");
        }
      }
    } catch (IOException e) {
      // The client went away.
    } catch (InterruptedException e) {
      // The server is stopping its threads.
    } finally {
      for (AutoCloseable w : watches) {
        try {
          w.close();
        } catch (Exception ignored) {
          // closing a watch only removes a listener
        }
      }
    }
  }
}
