package dev.offload.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job;
import dev.offload.Job.FailedItems;
import dev.offload.Job.Progress;
import dev.offload.OffloadException.InvalidJobException;
import dev.offload.internal.Json;
import dev.offload.store.Store;
import dev.offload.store.Store.LeasedJob;
import dev.offload.store.Store.ProgressUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Progress reported by a push endpoint, in a 202 continuation's {@code progress} or in a {@code
 * POST /api/jobs/{id}/progress} body: {@code percent}, {@code done}, {@code total}, {@code stage},
 * {@code message}, plus {@code failedItems} and {@code checkpoint} in a report. It is stored in the
 * shape a worker's progress has ({@link Progress}), so the dashboard, SSE and {@code offload
 * status} show it unchanged. Without a percent it is done/total; the endpoint knows no ETA.
 *
 * @param progressJson the {@link Progress} to store, or null when the report carried none
 * @param failedItems items that failed since the last report
 * @param checkpointJson the checkpoint to store, or null to keep the stored one
 */
record PushProgress(
    @Nullable String progressJson,
    List<FailedItems.Item> failedItems,
    @Nullable String checkpointJson) {
  private static final Set<String> FIELDS =
      Set.of("percent", "done", "total", "stage", "message", "failedItems", "checkpoint");
  static final int MAX_TEXT = 1_000;

  /** The progress object of a continuation, as the {@link Progress} JSON to store. */
  static String fromAnswer(JsonNode progress, Instant now) {
    return Json.write(progress(progress, now));
  }

  /**
   * A progress report's body.
   *
   * @throws InvalidJobException naming the field, when the body is not such an object
   */
  static PushProgress fromReport(String body, Instant now) {
    JsonNode json;
    try {
      json = Json.tree(body);
    } catch (IllegalArgumentException e) {
      throw InvalidJobException.invalid("body", "the body is not JSON: " + e.getMessage());
    }
    if (json == null || !json.isObject()) {
      throw InvalidJobException.invalid("body", "the body must be a JSON object");
    }
    json.fieldNames()
        .forEachRemaining(f -> {
          if (!FIELDS.contains(f)) {
            throw InvalidJobException.invalid(
                f,
                "unknown field '"
                    + f
                    + "'; known: "
                    + String.join(", ", FIELDS.stream().sorted().toList()));
          }
        });
    boolean hasProgress =
        json.has("percent")
            || json.has("done")
            || json.has("total")
            || json.has("stage")
            || json.has("message");
    List<FailedItems.Item> items = new ArrayList<>();
    JsonNode failed = json.get("failedItems");
    if (failed != null && !failed.isNull()) {
      if (!failed.isArray()) {
        throw InvalidJobException.invalid(
            "failedItems", "failedItems must be an array of {key, error}");
      }
      for (JsonNode item : failed) {
        if (!item.isObject() || !item.path("key").isValueNode() || item.path("key").isNull()) {
          throw InvalidJobException.invalid(
              "failedItems", "each of failedItems must be an object with a key and an error");
        }
        items.add(
            new FailedItems.Item(
                HumanText.storable(item.get("key").asText()),
                HumanText.storable(item.path("error").asText(""))));
      }
    }
    JsonNode checkpoint = json.get("checkpoint");
    return new PushProgress(
        hasProgress ? Json.write(progress(json, now)) : null,
        items,
        checkpoint == null || checkpoint.isNull() ? null : checkpoint.toString());
  }

  private static Progress progress(JsonNode p, Instant now) {
    Long done = whole(p, "done");
    Long total = whole(p, "total");
    Double percent = null;
    JsonNode pc = p.get("percent");
    if (pc != null && !pc.isNull()) {
      if (!pc.isNumber() || pc.asDouble() < 0 || pc.asDouble() > 100) {
        throw InvalidJobException.invalid("percent", "percent must be a number from 0 to 100");
      }
      percent = pc.asDouble();
    }
    if (percent == null && done != null && total != null && total > 0) {
      percent = Math.min(100.0, 100.0 * done / total);
    }
    return new Progress(
        percent == null ? 0 : percent,
        done == null ? 0 : done,
        total,
        text(p, "stage"),
        List.of(),
        text(p, "message"),
        null,
        0,
        now);
  }

  private static @Nullable Long whole(JsonNode p, String field) {
    JsonNode v = p.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
      throw InvalidJobException.invalid(field, field + " must be a whole number, 0 or more");
    }
    return v.asLong();
  }

  private static @Nullable String text(JsonNode p, String field) {
    JsonNode v = p.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw InvalidJobException.invalid(field, field + " must be a string");
    }
    String s = HumanText.storable(v.asText());
    return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
  }

  /**
   * Writes a push endpoint's progress report for job {@code id}, when {@code jobToken} is the token
   * of the attempt that runs it now.
   *
   * @return false when the token is not that attempt's (another job's, an older attempt's, or the
   *     job no longer runs)
   * @throws InvalidJobException naming the field, for a body that is not a progress report
   */
  static boolean report(Store store, long id, String jobToken, String body, Instant now) {
    java.util.Optional<LeasedJob> lease = store.jobRunningLease(id);
    if (lease.isEmpty() || !PushTokens.matches(jobToken, id, lease.get().token())) {
      return false;
    }
    long token = lease.get().token();
    PushProgress report = fromReport(body, now);
    if (report.progressJson() != null
        && store
            .jobProgressMany(List.of(new ProgressUpdate(id, token, report.progressJson())))
            .isEmpty()) {
      return false;
    }
    if (report.checkpointJson() == null && report.failedItems().isEmpty()) {
      return true;
    }
    Job job = store.jobGet(id).orElse(null);
    if (job == null) {
      return false;
    }
    String checkpoint =
        report.checkpointJson() != null
            ? report.checkpointJson()
            : job.checkpoint() == null ? null : job.checkpoint().toString();
    String failed = null;
    if (!report.failedItems().isEmpty()) {
      FailedItems before = job.failedItems();
      List<FailedItems.Item> items = new ArrayList<>(before == null ? List.of() : before.items());
      for (FailedItems.Item item : report.failedItems()) {
        if (items.size() < FailedItems.KEPT) {
          items.add(item);
        }
      }
      long count = (before == null ? 0 : before.count()) + report.failedItems().size();
      failed = Json.write(new FailedItems(count, items));
    }
    return store.jobCheckpoint(id, token, checkpoint, failed);
  }
}
