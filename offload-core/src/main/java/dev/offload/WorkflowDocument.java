package dev.offload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Workflow.OnFailure;
import dev.offload.Workflow.StepOptions;
import dev.offload.Workflow.WorkflowBuilder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads the JSON form of a workflow, as {@code POST /api/workflows} and {@code offload workflow
 * enqueue --file} take it: {@code {"name": …, "steps": [{"name", "kind", "args"?, "after"?: [...],
 * "queue"?, "priority"?, "onFailure"?}]}}. Every error names the field or the step.
 */
final class WorkflowDocument {
  private static final Set<String> TOP = Set.of("name", "steps");
  private static final Set<String> STEP =
      Set.of("name", "kind", "args", "after", "queue", "priority", "onFailure");

  private WorkflowDocument() {}

  static WorkflowBuilder read(JsonNode doc, WorkflowBuilderFactory factory) {
    if (doc == null || !doc.isObject()) {
      throw new IllegalArgumentException(
          "a workflow is a JSON object {\"name\": ..., \"steps\": [...]}");
    }
    unknown(doc, TOP, "the workflow");
    JsonNode name = doc.get("name");
    if (name == null || !name.isTextual()) {
      throw new IllegalArgumentException(
          "name is required: the workflow's name, e.g. \"month-end\"");
    }
    JsonNode steps = doc.get("steps");
    if (steps == null || !steps.isArray() || steps.isEmpty()) {
      throw new IllegalArgumentException(
          "steps is required: a non-empty array of {\"name\", \"kind\", \"args\", \"after\"}");
    }
    WorkflowBuilder builder = factory.create(name.asText());
    int i = 0;
    for (JsonNode step : steps) {
      i++;
      String where = "step " + i;
      if (!step.isObject()) {
        throw new IllegalArgumentException(where + " must be an object, got " + step);
      }
      String stepName = Objects.requireNonNull(text(step, "name", where, true));
      where = "step '" + stepName + "'";
      unknown(step, STEP, where);
      String kind = Objects.requireNonNull(text(step, "kind", where, true));
      List<String> after = new ArrayList<>();
      JsonNode a = step.get("after");
      if (a != null && !a.isNull()) {
        if (!a.isArray()) {
          throw new IllegalArgumentException(
              where + ": after must be an array of step names, got " + a);
        }
        for (JsonNode n : a) {
          if (!n.isTextual()) {
            throw new IllegalArgumentException(where + ": after must hold step names, got " + n);
          }
          after.add(n.asText());
        }
      }
      StepOptions options = new StepOptions(after, OnFailure.CANCEL, null, null);
      try {
        String queue = text(step, "queue", where, false);
        if (queue != null) {
          options = options.queue(queue);
        }
        JsonNode priority = step.get("priority");
        if (priority != null && !priority.isNull()) {
          if (!priority.isIntegralNumber()) {
            throw new IllegalArgumentException("priority must be a whole number, got " + priority);
          }
          options = options.priority(priority.asInt());
        }
        String onFailure = text(step, "onFailure", where, false);
        if (onFailure != null) {
          options = options.onFailure(OnFailure.fromWire(onFailure));
        }
      } catch (IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        throw new IllegalArgumentException(
            message.startsWith(where) ? message : where + ": " + message, e);
      }
      JsonNode args = step.get("args");
      builder.step(stepName, kind, args == null || args.isNull() ? null : args, options);
    }
    return builder;
  }

  /** Makes the builder of a named workflow. */
  interface WorkflowBuilderFactory {
    WorkflowBuilder create(String name);
  }

  private static void unknown(JsonNode node, Set<String> allowed, String where) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String f = names.next();
      if (!allowed.contains(f)) {
        throw new IllegalArgumentException(
            where
                + ": unknown field '"
                + f
                + "' (expected "
                + String.join(", ", allowed.stream().sorted().toList())
                + ")");
      }
    }
  }

  private static @Nullable String text(
      JsonNode node, String field, String where, boolean required) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new IllegalArgumentException(where + ": " + field + " is required");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(where + ": " + field + " must be a string, got " + v);
    }
    return v.asText();
  }
}
