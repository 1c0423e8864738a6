package dev.offload.cli;

import dev.offload.Offload;
import dev.offload.OffloadPlugin;
import java.util.Map;

/**
 * A plugin that {@link MainTest} packs into a jar of its own (only a services file; the class
 * itself loads from the test class path), registering {@code test.echo}.
 */
public final class TestPlugin implements OffloadPlugin {
  record EchoArgs(String text) {}

  @Override
  public void configure(Offload.Builder builder) {
    builder.register("test.echo", EchoArgs.class, (args, ctx) -> Map.of("echo", args.text()));
  }
}
