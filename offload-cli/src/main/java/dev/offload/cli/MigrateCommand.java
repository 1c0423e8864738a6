package dev.offload.cli;

import dev.offload.Offload;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code offload migrate}: applies the store's pending schema migrations. */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = "Apply the store's pending schema migrations.")
final class MigrateCommand implements Callable<Integer> {
  @ParentCommand OffloadCommand parent;

  @Mixin StoreOption store;

  @Override
  public Integer call() {
    Context ctx = parent.ctx;
    try (Offload offload = store.build(ctx, b -> b.migrate(false))) {
      offload.migrate();
    }
    ctx.out.println("migrated " + ctx.store() + ": the schema is up to date");
    return 0;
  }
}
