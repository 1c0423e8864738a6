package dev.offload.cli;

import dev.offload.Offload;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code offload migrate}: applies the store's pending schema migrations. */
@Command(name = "migrate", description = "Apply the store's pending schema migrations.")
final class MigrateCommand implements Callable<Integer> {
  @Mixin StoreOption store;

  @Override
  public Integer call() {
    Context ctx = store.ctx();
    try (Offload offload = store.build(ctx, b -> b.migrate(false))) {
      offload.migrate();
    }
    ctx.out.println("migrated " + ctx.store() + ": the schema is up to date");
    return 0;
  }
}
