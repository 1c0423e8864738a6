package dev.offload.cli;

import dev.offload.Offload;
import dev.offload.store.Store;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

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

  /**
   * Opens the store and builds an {@link Offload} on it (applying migrations unless {@code
   * configure} turns them off); closes the store again if building fails.
   */
  Offload build(Context ctx, Consumer<Offload.Builder> configure) {
    Store store = url.open();
    ctx.opened(store.describe());
    try {
      Offload.Builder builder = Offload.builder().store(store);
      configure.accept(builder);
      return builder.build();
    } catch (RuntimeException | Error e) {
      store.close();
      throw e;
    }
  }
}
