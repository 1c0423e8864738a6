package dev.offload.server;

import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Offload;
import dev.offload.OffloadException.NoSuchJobException;
import dev.offload.internal.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@code GET /api/jobs/{id}/events}: one job's changes as Server-Sent Events, until it ends.
 *
 * <ul>
 *   <li>{@code event: state} when the state or attempt changed (the first event, the job as it is
 *       now, is always a state event, so a reconnecting client resumes from the current job);
 *   <li>{@code event: progress} when only the progress changed;
 *   <li>{@code event: deleted} when the job was deleted while watched;
 * </ul>
 *
 * each with {@code id: n} and {@code data:} the job document of {@code GET /api/jobs/{id}} (for a
 * read token, the {@link JobProgressView} that endpoint answers it with). The stream closes after
 * the event that carries a final state. A comment ({@code : keep-alive}) goes out whenever the
 * stream was idle for the heartbeat interval.
 *
 * <p>Changes come from {@link Offload#watch}, which sees every node's writes (LISTEN/NOTIFY on
 * PostgreSQL). Its listener only queues the job: the request's own thread writes, so a slow client
 * never holds up the watcher. Progress that is superseded while a client is slow is skipped; state
 * changes are never skipped.
 */
record JobEvents(Offload offload, Duration heartbeat, Streams streams) {

  void handle(Context ctx) throws Exception {
    JobId id = Http.jobId(ctx);
    if (offload.job(id).isEmpty()) {
      throw new NoSuchJobException(id);
    }
    Function<Job, Object> view = ReadTokens.granted(ctx) ? JobProgressView::of : job -> job;
    Inbox<Job> updates = new Inbox<>();
    try (AutoCloseable watch = offload.watch(id, updates::offer);
        Streams.Registration r = streams.register(updates)) {
      EventStream stream = r.open(ctx);
      Job sent = null;
      while (true) {
        List<Job> batch = updates.take(heartbeat);
        if (r.stopping()) {
          return;
        }
        if (batch.isEmpty()) {
          if (offload.job(id).isEmpty()) {
            stream.send("deleted", "{\"id\":" + id.value() + "}");
            return;
          }
          stream.comment("keep-alive");
          continue;
        }
        for (int i = 0; i < batch.size(); i++) {
          Job job = batch.get(i);
          String event = eventFor(sent, job);
          boolean superseded = i < batch.size() - 1;
          if (event == null || (event.equals("progress") && superseded)) {
            continue;
          }
          stream.send(event, Json.write(view.apply(job)));
          sent = job;
          if (job.state().isFinal()) {
            return;
          }
        }
      }
    } catch (IOException e) {
      // The client went away; the watch is closed above.
    } catch (InterruptedException e) {
      // The server is stopping its threads.
    }
  }

  /**
   * Which event {@code job} is after {@code sent}: state, progress, or null when nothing changed.
   */
  static String eventFor(Job sent, Job job) {
    if (sent == null || sent.state() != job.state() || sent.attempt() != job.attempt()) {
      return "state";
    }
    if (!Objects.equals(sent.progress(), job.progress())
        || !Objects.equals(sent.checkpoint(), job.checkpoint())
        || !Objects.equals(sent.failedItems(), job.failedItems())) {
      return "progress";
    }
    return null;
  }
}
