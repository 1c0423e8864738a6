package dev.offload.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Offload;
import dev.offload.Workflow;
import dev.offload.Workflow.WorkflowId;
import dev.offload.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code offload workflow ID [--follow] [--json]}: a workflow's state, progress and steps; {@code
 * offload workflow enqueue --file FILE.json [--json]} enqueues one.
 */
@Command(
    name = "workflow",
    description =
        "Show a workflow (state, progress, steps), or enqueue one with 'workflow enqueue --file FILE.json'.",
    subcommands = WorkflowCommand.Enqueue.class)
final class WorkflowCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Parameters(paramLabel = "ID", arity = "0..1", description = "The workflow's id.")
  String id;

  @Option(names = "--json", description = "Print the document of GET /api/workflows/{id}.")
  boolean json;

  @Option(
      names = "--follow",
      description =
          "Print each change until the workflow ends; exit 0 if it succeeded, 1 otherwise.")
  boolean follow;

  @Override
  public Integer call() throws InterruptedException {
    Context ctx = store.ctx();
    if (id == null) {
      throw CliError.usage(
          "missing workflow id: 'offload workflow ID' or 'offload workflow enqueue --file FILE.json'");
    }
    WorkflowId workflowId;
    try {
      workflowId = WorkflowId.parse(id);
    } catch (IllegalArgumentException e) {
      throw CliError.usage(e.getMessage());
    }
    try (Offload offload = store.build(ctx, b -> {})) {
      Workflow w =
          offload
              .workflow(workflowId)
              .orElseThrow(() -> new java.util.NoSuchElementException("no workflow " + workflowId));
      print(w, ctx);
      if (!follow) {
        return 0;
      }
      while (w.state() == Workflow.State.RUNNING) {
        Thread.sleep(500);
        Workflow now = offload.workflow(workflowId).orElseThrow();
        if (!Objects.equals(now, w)) {
          print(now, ctx);
        }
        w = now;
      }
      return w.state() == Workflow.State.SUCCEEDED ? 0 : 1;
    }
  }

  private void print(Workflow w, Context ctx) {
    ctx.out.println(json ? Json.write(w) : describe(w));
    ctx.out.flush();
  }

  static String describe(Workflow w) {
    StringBuilder b = new StringBuilder();
    b.append("workflow ")
        .append(w.id())
        .append(' ')
        .append(w.name())
        .append(": ")
        .append(w.state().wireName())
        .append(", ")
        .append(w.progress().percent())
        .append('%');
    if (w.state() == Workflow.State.RUNNING && w.progress().eta() != null) {
      b.append(", about ").append(Math.round(w.progress().eta())).append(" s left");
    }
    b.append('\n');
    for (Workflow.Step s : w.steps()) {
      b.append("  ")
          .append(String.format("%-16s", s.name()))
          .append(String.format("%-10s", s.state().wireName()))
          .append(" job ")
          .append(s.jobId())
          .append(' ')
          .append(s.kind());
      if (!s.after().isEmpty()) {
        b.append(" after ").append(String.join(", ", s.after()));
      }
      b.append('\n');
    }
    return b.toString().stripTrailing();
  }

  @Command(
      name = "enqueue",
      description =
          "Enqueue a workflow from a JSON file ({\"name\", \"steps\": [{\"name\", \"kind\", \"args\", \"after\"}]}); prints its id.")
  static final class Enqueue implements Callable<Integer> {
    @Mixin StoreOption store;

    @Mixin PluginsOption plugins;

    @Option(
        names = "--file",
        paramLabel = "FILE",
        required = true,
        description = "The workflow document, as POST /api/workflows takes it.")
    Path file;

    @Option(
        names = "--json",
        description = "Print the workflow as GET /api/workflows/{id} returns it.")
    boolean json;

    @Option(
        names = "--allow-unknown-kind",
        description = "Enqueue even when no worker has announced a step's kind yet.")
    boolean allowUnknownKind;

    @Override
    public Integer call() {
      Context ctx = store.ctx();
      String text;
      try {
        text = Files.readString(file);
      } catch (NoSuchFileException e) {
        throw CliError.usage("--file " + file + " does not exist");
      } catch (IOException e) {
        throw CliError.usage("cannot read --file " + file + ": " + e.getMessage());
      }
      JsonNode doc = JsonArgs.parse(text, "--file " + file);
      try (Plugins loaded = plugins.load();
          Offload offload = store.build(ctx, loaded::configure)) {
        WorkflowId id;
        try {
          dev.offload.Workflow.WorkflowBuilder workflow = offload.workflowFrom(doc);
          id = (allowUnknownKind ? workflow.allowUnknownKinds() : workflow).enqueue();
        } catch (dev.offload.OffloadException e) {
          throw e;
        } catch (IllegalArgumentException e) {
          if (Errors.unknownKind(e)) {
            // As offload enqueue: the document is fine, no worker runs the kind (exit 1).
            throw e;
          }
          throw CliError.usage(e.getMessage());
        }
        ctx.out.println(json ? Json.write(offload.workflow(id).orElseThrow()) : id.toString());
      }
      return 0;
    }
  }
}
