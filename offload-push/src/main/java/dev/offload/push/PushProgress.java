package dev.offload.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Job.Stage;
import dev.offload.internal.AttemptContext;
import dev.offload.internal.Json;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One invocation's progress as its handler reports it, in the shape of Offload's progress calls:
 * {@code percent}, {@code done}, {@code total}, {@code stage}, {@code message}, plus the items that
 * failed and the checkpoint stored since the last report. Handler threads write; the reporter takes
 * what changed. Thread-safe.
 */
final class PushProgress implements AttemptContext.ProgressCounts {
  /** At most this many failed items wait for a report; more are dropped (the count goes on). */
  static final int MAX_PENDING_ITEMS = 1_000;

  private long total = -1;
  private long done;
  private @Nullable String message;
  private List<Stage> stages = List.of();
  private int stageIndex = -1;
  private @Nullable String stageName;
  private final List<ObjectNode> pendingItems = new ArrayList<>();
  private @Nullable String checkpointJson;
  private boolean checkpointPending;
  private long version;
  private long reportedVersion;

  PushProgress(@Nullable String checkpointJson) {
    this.checkpointJson = checkpointJson;
  }

  @Override
  public synchronized void total(long total) {
    this.total = total;
    version++;
  }

  @Override
  public synchronized void advance(long n) {
    done += n;
    version++;
  }

  @Override
  public synchronized void done(long done) {
    this.done = done;
    version++;
  }

  synchronized void message(String message) {
    this.message = message;
    version++;
  }

  synchronized void stages(List<Stage> stages) {
    this.stages = List.copyOf(stages);
    version++;
  }

  synchronized void stage(String name, long total) {
    stageName = name;
    for (int i = 0; i < stages.size(); i++) {
      if (stages.get(i).name().equals(name)) {
        stageIndex = i;
      }
    }
    this.total = total;
    this.done = 0;
    version++;
  }

  synchronized void itemFailed(String key, String error) {
    if (pendingItems.size() < MAX_PENDING_ITEMS) {
      ObjectNode item = Json.object();
      item.put("key", key);
      item.put("error", error);
      pendingItems.add(item);
    }
    version++;
  }

  synchronized void checkpoint(String json) {
    checkpointJson = json;
    checkpointPending = true;
    version++;
  }

  synchronized @Nullable String checkpointJson() {
    return checkpointJson;
  }

  /** Whether something changed since the last report was taken. */
  synchronized boolean changed() {
    return version != reportedVersion;
  }

  /** Whether failed items or a checkpoint wait for a report (they are not in an answer's body). */
  synchronized boolean hasPendingWrites() {
    return checkpointPending || !pendingItems.isEmpty();
  }

  /** The progress object of an answer (a continuation's): percent, done, total, stage, message. */
  synchronized ObjectNode snapshot() {
    ObjectNode p = Json.object();
    Double percent = percent();
    if (percent != null) {
      p.put("percent", percent);
    }
    if (total >= 0) {
      p.put("done", done);
      p.put("total", total);
    } else if (done > 0) {
      p.put("done", done);
    }
    if (stageName != null) {
      p.put("stage", stageName);
    }
    if (message != null) {
      p.put("message", message);
    }
    return p;
  }

  /**
   * The body of a progress call with everything that changed since the last one, and the failed
   * items and checkpoint it carries; null when nothing changed.
   */
  synchronized @Nullable Report takeReport() {
    if (version == reportedVersion) {
      return null;
    }
    reportedVersion = version;
    ObjectNode body = snapshot();
    List<ObjectNode> items = List.copyOf(pendingItems);
    pendingItems.clear();
    if (!items.isEmpty()) {
      ArrayNode array = body.putArray("failedItems");
      items.forEach(array::add);
    }
    String checkpoint = checkpointPending ? checkpointJson : null;
    checkpointPending = false;
    if (checkpoint != null) {
      body.set("checkpoint", readTree(checkpoint));
    }
    return new Report(body, items, checkpoint);
  }

  /** Puts back what a report that did not arrive carried, so the next one sends it. */
  synchronized void giveBack(Report report) {
    pendingItems.addAll(0, report.items());
    while (pendingItems.size() > MAX_PENDING_ITEMS) {
      pendingItems.remove(pendingItems.size() - 1);
    }
    if (report.checkpointJson() != null && !checkpointPending) {
      checkpointPending = true; // a newer checkpoint, if any, is already pending and wins
    }
    version++;
  }

  private @Nullable Double percent() {
    double within = total > 0 ? Math.min(1.0, (double) done / total) : 0.0;
    if (stages.isEmpty()) {
      return total > 0 ? round(within * 100) : null;
    }
    double all = 0;
    double before = 0;
    for (int i = 0; i < stages.size(); i++) {
      all += stages.get(i).weight();
      if (i < stageIndex) {
        before += stages.get(i).weight();
      }
    }
    double current = stageIndex >= 0 ? stages.get(stageIndex).weight() * within : 0;
    return round((before + current) / all * 100);
  }

  private static double round(double percent) {
    return Math.round(percent * 10) / 10.0;
  }

  private static JsonNode readTree(String json) {
    JsonNode tree = Json.tree(json);
    return tree == null ? Json.object().nullNode() : tree;
  }

  /** A progress call's body and what it carries that must not be lost. */
  record Report(ObjectNode body, List<ObjectNode> items, @Nullable String checkpointJson) {}
}
