package dev.offload.server;

import static dev.offload.server.BodyFields.present;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job.JobId;
import dev.offload.Offload;
import dev.offload.OffloadException.NoSuchJobException;
import dev.offload.OffloadException.UnknownKindException;
import dev.offload.Schedule;
import dev.offload.Schedule.CatchUp;
import dev.offload.Schedule.ScheduleInfo;
import dev.offload.Schedule.ScheduleOptions;
import io.javalin.http.Context;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code GET/POST /api/schedules}, {@code PUT/DELETE /api/schedules/{name}}, {@code POST
 * /api/schedules/{name}/pause|resume|run}. The body of POST and PUT: {@code {name, kind, args?,
 * cron | every, zone?, queue?, priority?, maxAttempts?, catchUp?}} ({@code name} only in POST, or
 * equal to the path's in PUT); every 422 names the field at fault.
 */
record SchedulesApi(Offload offload, long maxBodyBytes) {
  private static final Set<String> FIELDS =
      Set.of(
          "name",
          "kind",
          "args",
          "cron",
          "every",
          "zone",
          "queue",
          "priority",
          "maxAttempts",
          "catchUp");

  /** {@code {"schedules": [...]}}, as {@code offload schedules --json} prints it. */
  void list(Context ctx) {
    Http.json(ctx, 200, Map.of("schedules", offload.schedules().list()));
  }

  void get(Context ctx) {
    String name = ctx.pathParam("name");
    Http.json(ctx, 200, offload.schedules().get(name).orElseThrow(() -> noSuch(name)));
  }

  /** 201 + Location + the schedule; 409 when the name is taken. */
  void create(Context ctx) {
    JsonNode body = Http.jsonBody(ctx, maxBodyBytes);
    Definition d = Definition.parse(body, null);
    ScheduleInfo info;
    try {
      info =
          save(() -> offload.schedules().add(d.name(), d.when(), d.kind(), d.args(), d.options()));
    } catch (IllegalStateException e) {
      throw ApiException.conflict(e.getMessage());
    }
    ctx.header("Location", Http.location(ctx, "/api/schedules/" + info.name()));
    Http.json(ctx, 201, info);
  }

  /** Adds or replaces the schedule of the path's name; 200 + the schedule. */
  void put(Context ctx) {
    String name = ctx.pathParam("name");
    Definition d = Definition.parse(Http.jsonBody(ctx, maxBodyBytes), name);
    Http.json(
        ctx,
        200,
        save(() -> offload.schedules().put(d.name(), d.when(), d.kind(), d.args(), d.options())));
  }

  /** {@code action} on the schedule the path names; a 404 when there is none. */
  private static <T> T onNamed(Context ctx, Function<String, T> action) {
    try {
      return action.apply(ctx.pathParam("name"));
    } catch (NoSuchElementException e) {
      throw ApiException.notFound(e.getMessage());
    }
  }

  private static ScheduleInfo save(Supplier<ScheduleInfo> action) {
    try {
      return action.get();
    } catch (UnknownKindException e) {
      throw ApiException.invalid("kind", e.getMessage());
    } catch (IllegalArgumentException e) {
      String m = e.getMessage() == null ? "invalid schedule" : e.getMessage();
      throw ApiException.invalid(
          m.startsWith("schedule name") ? "name" : m.startsWith("kind") ? "kind" : "args", m);
    }
  }

  void delete(Context ctx) {
    String name = ctx.pathParam("name");
    try {
      offload.schedules().delete(name);
    } catch (NoSuchElementException e) {
      throw ApiException.notFound(e.getMessage());
    }
    ctx.status(204);
  }

  void pause(Context ctx) {
    Http.json(ctx, 200, onNamed(ctx, offload.schedules()::pause));
  }

  void resume(Context ctx) {
    Http.json(ctx, 200, onNamed(ctx, offload.schedules()::resume));
  }

  /** Enqueues one job of the schedule now: 202 + Location + the job. */
  void run(Context ctx) {
    JobId id = onNamed(ctx, offload.schedules()::run);
    ctx.header("Location", Http.location(ctx, "/api/jobs/" + id.value()));
    Http.json(ctx, 202, offload.job(id).orElseThrow(() -> new NoSuchJobException(id)));
  }

  private static ApiException noSuch(String name) {
    return ApiException.notFound("no schedule '" + name + "'");
  }

  /** A POST or PUT body, checked field by field. */
  record Definition(
      String name, Schedule when, String kind, JsonNode args, ScheduleOptions options) {
    static Definition parse(JsonNode body, String pathName) {
      if (body == null || !body.isObject()) {
        throw ApiException.invalid(
            "the body must be a JSON object such as {\"name\": \"monthly-report\", \"kind\": \"reports.monthly\","
                + " \"cron\": \"0 6 1 * *\", \"zone\": \"Europe/Copenhagen\"}");
      }
      Http.rejectUnknownFields(
          body,
          FIELDS,
          "name, kind, args, cron or every, zone, queue, priority, maxAttempts, catchUp");
      String name = optionalText(body, "name");
      if (pathName != null) {
        if (name != null && !name.equals(pathName)) {
          throw ApiException.invalid(
              "name",
              "name '"
                  + name
                  + "' differs from the path's '"
                  + pathName
                  + "'; rename by delete and add");
        }
        name = pathName;
      } else if (name == null) {
        throw ApiException.invalid("name", "name is required, e.g. \"monthly-report\"");
      }
      String kind = optionalText(body, "kind");
      if (kind == null) {
        throw ApiException.invalid(
            "kind",
            "kind is required: the name of a registered job kind, e.g. \"reports.monthly\"");
      }
      String cron = optionalText(body, "cron");
      JsonNode every = present(body, "every");
      String zoneText = optionalText(body, "zone");
      if ((cron == null) == (every == null)) {
        throw ApiException.invalid(
            cron == null ? "cron" : "every",
            "give cron (with an optional zone) or every, exactly one of them");
      }
      Schedule when;
      if (cron != null) {
        ZoneId zone;
        try {
          zone = zoneText == null ? ZoneOffset.UTC : ZoneId.of(zoneText);
        } catch (DateTimeException e) {
          throw ApiException.invalid(
              "zone",
              "zone must be a time-zone id such as \"Europe/Copenhagen\" or \"UTC\", got '"
                  + zoneText
                  + "'");
        }
        try {
          when = Schedule.cron(cron, zone);
        } catch (IllegalArgumentException e) {
          throw ApiException.invalid("cron", e.getMessage());
        }
      } else {
        if (zoneText != null) {
          throw ApiException.invalid(
              "zone", "zone applies to cron schedules; an interval counts from the epoch");
        }
        Duration d = Durations.field("every", every);
        try {
          when = Schedule.every(d);
        } catch (IllegalArgumentException e) {
          throw ApiException.invalid("every", e.getMessage());
        }
      }
      ScheduleOptions options = ScheduleOptions.defaults();
      try {
        String queue = optionalText(body, "queue");
        if (queue != null) {
          options = options.queue(queue);
        }
        JsonNode priority = present(body, "priority");
        if (priority != null) {
          options = options.priority(wholeNumber("priority", priority));
        }
        JsonNode attempts = present(body, "maxAttempts");
        if (attempts != null) {
          options = options.maxAttempts(wholeNumber("maxAttempts", attempts));
        }
        String catchUp = optionalText(body, "catchUp");
        if (catchUp != null) {
          options = options.catchUp(CatchUp.fromWire(catchUp));
        }
      } catch (IllegalArgumentException e) {
        String m = e.getMessage();
        String field =
            m.startsWith("queue")
                ? "queue"
                : m.startsWith("priority")
                    ? "priority"
                    : m.startsWith("maxAttempts") ? "maxAttempts" : "catchUp";
        throw ApiException.invalid(field, m);
      }
      return new Definition(name, when, kind, present(body, "args"), options);
    }

    private static String optionalText(JsonNode body, String field) {
      JsonNode v = present(body, field);
      if (v == null) {
        return null;
      }
      if (!v.isTextual()) {
        throw ApiException.invalid(field, field + " must be a string, got " + v);
      }
      return v.asText();
    }

    private static int wholeNumber(String field, JsonNode v) {
      if (!v.isIntegralNumber() || !v.canConvertToInt()) {
        throw ApiException.invalid(field, field + " must be a whole number, got " + v);
      }
      return v.asInt();
    }
  }
}
