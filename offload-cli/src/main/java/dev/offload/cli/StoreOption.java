package dev.offload.cli;

import dev.offload.Offload;
import dev.offload.store.Store;
import dev.offload.store.Store.SchemaVersion;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --store URL}, shared by every command that touches a store. */
final class StoreOption {
  @Option(
      names = "--store",
      paramLabel = "URL",
      defaultValue = "${env:OFFLOAD_STORE:-sqlite:offload.db}",
      converter = StoreUrl.Converter.class,
      description = {
        "sqlite:PATH or a PostgreSQL URL (postgresql://user@host:port/db, jdbc:postgresql://...;"
            + " currentSchema=S picks the schema, default offload).",
        "Default: $OFFLOAD_STORE, else sqlite:offload.db."
      })
  StoreUrl url;

  /** The command this option is mixed into; null when a command builds a StoreOption itself. */
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  private Store opened;

  /**
   * The run's {@link Context}, which the top command ({@link OffloadCommand}) holds, however deep
   * the command with this option is.
   */
  Context ctx() {
    return ((OffloadCommand) mixee.root().userObject()).ctx;
  }

  /**
   * For commands that write ({@code migrate}, {@code enqueue}, {@code worker}, {@code serve},
   * {@code demo}): opens the store, creating a missing SQLite file, and builds an {@link Offload}
   * on it (applying migrations unless {@code configure} turns them off); closes the store again if
   * building fails.
   */
  Offload build(Context ctx, Consumer<Offload.Builder> configure) {
    return build(ctx, url.open(), configure);
  }

  /**
   * For commands that read or act on existing jobs: opens the store as it is, never creating or
   * migrating it. A missing SQLite file, or a schema older (or newer) than this offload's, is a
   * failure (exit 1) that says what to do.
   */
  Offload openExisting(Context ctx) {
    return openExisting(ctx, b -> {});
  }

  /** As {@link #openExisting(Context)}, letting {@code configure} register kinds first. */
  Offload openExisting(Context ctx, Consumer<Offload.Builder> configure) {
    Store store = url.openExisting();
    ctx.opened(store.describe());
    try {
      SchemaVersion version = store.schemaVersion();
      if (version.current() == 0) {
        throw CliError.failure(
            ctx.store()
                + " holds no Offload schema: run 'offload migrate' with the same --store to create it",
            null);
      }
      if (version.current() < version.latest()) {
        throw CliError.failure(
            "the schema of "
                + ctx.store()
                + " is at version "
                + version.current()
                + " of "
                + version.latest()
                + ": run 'offload migrate' with the same --store to bring it up to date",
            null);
      }
      if (version.current() > version.latest()) {
        throw CliError.failure(
            "the schema of "
                + ctx.store()
                + " is at version "
                + version.current()
                + ", newer than this offload knows ("
                + version.latest()
                + "): use a newer offload",
            null);
      }
    } catch (RuntimeException | Error e) {
      Errors.closeAfter(e, store);
      throw e;
    }
    return build(
        ctx,
        store,
        b -> {
          configure.accept(b);
          b.migrate(false);
        });
  }

  /**
   * A new connection to the store opened last, for a transaction the command owns; the caller
   * closes it.
   */
  java.sql.Connection connectionOpen() {
    if (opened == null) {
      throw new IllegalStateException("no store opened yet");
    }
    return opened.connectionOpen();
  }

  private Offload build(Context ctx, Store store, Consumer<Offload.Builder> configure) {
    opened = store;
    ctx.opened(store.describe());
    try {
      Offload.Builder builder = Offload.builder().store(store);
      configure.accept(builder);
      return builder.build();
    } catch (RuntimeException | Error e) {
      Errors.closeAfter(e, store);
      throw e;
    }
  }
}
