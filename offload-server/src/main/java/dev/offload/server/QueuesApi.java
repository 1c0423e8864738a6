package dev.offload.server;

import static dev.offload.server.BodyFields.present;
import static dev.offload.server.BodyFields.set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Offload;
import dev.offload.Offload.QueueStats;
import dev.offload.QueueOptions;
import dev.offload.QueueOptions.Rate;
import dev.offload.server.internal.KindsDocument;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/queues}, {@code PUT /api/queues/{name}}, {@code POST
 * /api/queues/{name}/pause|resume}, {@code GET /api/kinds}.
 */
record QueuesApi(Offload offload, Duration requestBudget) {

  /**
   * {@code {"queues": [...]}}: counts per state, running, throughput and latency over the last
   * minute.
   */
  void list(Context ctx) {
    Http.json(ctx, 200, Map.of("queues", QueueDocument.all(offload)));
  }

  void pause(Context ctx) {
    setPaused(ctx, true);
  }

  void resume(Context ctx) {
    setPaused(ctx, false);
  }

  private void setPaused(Context ctx, boolean paused) {
    String name = ctx.pathParam("name");
    try {
      if (paused) {
        offload.pauseQueue(name);
      } else {
        offload.resumeQueue(name);
      }
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("name", e.getMessage());
    }
    QueueDocument doc =
        QueueDocument.all(offload).stream()
            .filter(q -> q.name().equals(name))
            .findFirst()
            .orElseGet(() ->
                QueueDocument.of(
                    new QueueStats(
                        name, paused, Map.of(), 0, 0, null, null, QueueStats.Flow.none())));
    Http.json(ctx, 200, doc);
  }

  private static final Set<String> PUSH_FIELDS =
      Set.of("pushUrl", "pushTimeout", "pushSecretEnv", "allowHttp");
  private static final Set<String> SETTINGS =
      Set.of(
          "maxRunning",
          "perKey",
          "rate",
          "ratePerKey",
          "fair",
          "aging",
          "pushUrl",
          "pushTimeout",
          "pushSecretEnv",
          "allowHttp");

  /**
   * {@code PUT /api/queues/{name}} with {@code {maxRunning, perKey, rate, ratePerKey, fair,
   * aging}}: replaces the queue's flow-control settings for every node (an absent or null field is
   * no limit, false); 200 and the queue. 422 names the field at fault.
   *
   * <p>The push binding ({@code pushUrl, pushTimeout, pushSecretEnv, allowHttp}) is changed only by
   * a body that names one of them, as {@code offload queues set --push-url}: a PUT of limits alone
   * keeps it, so a script that sets limits never unbinds a push queue by omission. {@code
   * "pushUrl": null} unbinds; the other push fields without a {@code pushUrl} change the current
   * binding, and without one are 422.
   */
  void put(Context ctx) {
    String name = ctx.pathParam("name");
    QueueOptions current;
    try {
      current = offload.queueOptions(name);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("name", e.getMessage());
    }
    JsonNode body = Http.jsonBody(ctx, 64 * 1024);
    if (body == null || !body.isObject()) {
      throw ApiException.invalid(
          "the body must be a JSON object such as {\"maxRunning\": 4, \"rate\": \"10/s\"}");
    }
    Http.rejectUnknownFields(
        body,
        SETTINGS,
        "maxRunning, perKey, rate, ratePerKey, fair, aging, pushUrl,"
            + " pushTimeout, pushSecretEnv, allowHttp");
    QueueOptions o = QueueOptions.none();
    o = set(body, "maxRunning", o, QueuesApi::limit, QueueOptions::maxRunning);
    o = set(body, "perKey", o, QueuesApi::limit, QueueOptions::perKey);
    o = set(body, "rate", o, QueuesApi::rate, QueueOptions::rate);
    o = set(body, "ratePerKey", o, BodyFields::bool, QueueOptions::ratePerKey);
    o = set(body, "fair", o, BodyFields::bool, QueueOptions::fair);
    o = set(body, "aging", o, Durations::field, QueueOptions::aging);
    o = o.push(push(body, current.push()));
    offload.updateQueue(name, o);
    QueueDocument doc =
        QueueDocument.all(offload).stream()
            .filter(q -> q.name().equals(name))
            .findFirst()
            .orElseThrow();
    Http.json(ctx, 200, doc);
  }

  /** The push binding the body asks for, given the {@code current} one (null: not a push queue). */
  private static QueueOptions.Push push(JsonNode body, QueueOptions.Push current) {
    if (PUSH_FIELDS.stream().noneMatch(body::has)) {
      return current;
    }
    JsonNode url = body.get("pushUrl");
    if (url != null && url.isNull()) {
      return null;
    }
    if (url == null && current == null) {
      throw ApiException.invalid(
          PUSH_FIELDS.stream().filter(body::has).sorted().findFirst().orElse("pushUrl"),
          "pushTimeout, pushSecretEnv and allowHttp need a push URL (pushUrl)");
    }
    URI uri = current == null ? null : current.url();
    if (url != null) {
      if (!url.isTextual()) {
        throw ApiException.invalid(
            "pushUrl",
            "pushUrl must be a URL string, or null to unbind, got " + BodyFields.describe(url));
      }
      try {
        uri = new URI(url.asText().trim());
      } catch (URISyntaxException e) {
        throw ApiException.invalid("pushUrl", "pushUrl is not a URL: '" + url.asText() + "'");
      }
    }
    Duration timeout = current == null ? null : current.timeout();
    JsonNode v;
    if ((v = present(body, "pushTimeout")) != null) {
      timeout = Durations.field("pushTimeout", v);
    } else if (body.has("pushTimeout")) {
      timeout = null; // the default
    }
    String secretEnv = current == null ? null : current.secretEnv();
    if (body.has("pushSecretEnv")) {
      v = present(body, "pushSecretEnv");
      if (v != null && !v.isTextual()) {
        throw ApiException.invalid(
            "pushSecretEnv",
            "pushSecretEnv must be the name of an environment variable, got "
                + BodyFields.describe(v));
      }
      secretEnv = v == null ? null : v.asText();
    }
    boolean allowHttp = current != null && current.allowHttp();
    if ((v = present(body, "allowHttp")) != null) {
      allowHttp = BodyFields.bool("allowHttp", v);
    }
    try {
      return new QueueOptions.Push(uri, timeout, secretEnv, allowHttp);
    } catch (IllegalArgumentException e) {
      // The core's messages start with the field they are about, as the CLI shows them.
      String message = String.valueOf(e.getMessage());
      String field = PUSH_FIELDS.stream().filter(message::startsWith).findFirst().orElse("pushUrl");
      throw ApiException.invalid(field, message);
    }
  }

  private static Rate rate(String field, JsonNode v) {
    if (!v.isTextual()) {
      throw ApiException.invalid(
          field, field + " must be a string such as \"10/s\", \"600/min\" or \"5000/h\", got " + v);
    }
    try {
      return Rate.parse(v.asText());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(field, e.getMessage());
    }
  }

  private static Integer limit(String field, JsonNode v) {
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw ApiException.invalid(
          field,
          field
              + " must be a whole number from 1 to "
              + QueueOptions.MAX_LIMIT
              + " or null for no limit, got "
              + BodyFields.describe(v));
    }
    return v.asInt();
  }

  /**
   * {@code GET /api/kinds?budget=10s}: each kind registered on this node or run in the last 24
   * hours, with its options (when registered here) and run-time figures, and the advice: a kind
   * whose p95 exceeds the request budget belongs in the background.
   */
  void kinds(Context ctx) {
    String budgetText = Http.param(ctx, "budget");
    Duration budget = budgetText == null ? requestBudget : Durations.param("budget", budgetText);
    if (budget.isZero() || budget.compareTo(Offload.MAX_REQUEST_BUDGET) > 0) {
      throw ApiException.invalid(
          "budget", "budget must be more than 0 and at most 24 hours, got '" + budgetText + "'");
    }
    Map<String, Object> doc = KindsDocument.of(offload, budget);
    Http.json(ctx, 200, doc);
  }
}
